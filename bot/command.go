package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseCommand splits a chat text into a command name and its arguments. A command starts with
// "/" or the full-width "／", optionally after leading spaces: "/台账", "／绑定 123456", "/help".
// A colon, ASCII or full-width, may end the name as a space does ("/活动：线下 团课"). The name
// is lower-cased so English aliases match in any case. ok is false for ordinary text, which
// includes a slash followed by a space ("/ 我觉得可以") and a bare slash: people write those in
// chat, and answering them as unknown commands would be noise.
func ParseCommand(text string) (name, args string, ok bool) {
	s := strings.TrimLeftFunc(text, unicode.IsSpace)
	switch {
	case strings.HasPrefix(s, "/"):
		s = s[1:]
	case strings.HasPrefix(s, "／"):
		s = s[len("／"):]
	default:
		return "", "", false
	}
	end := strings.IndexFunc(s, func(r rune) bool { return unicode.IsSpace(r) || r == ':' || r == '：' })
	if end < 0 {
		end = len(s)
	}
	name, args = s[:end], s[end:]
	if rest, cut := strings.CutPrefix(args, ":"); cut {
		args = rest
	} else if rest, cut := strings.CutPrefix(args, "："); cut {
		args = rest
	}
	args = strings.TrimSpace(args)
	if name == "" || !utf8.ValidString(name) || len(name) > 64 {
		return "", "", false
	}
	return strings.ToLower(name), args, true
}
