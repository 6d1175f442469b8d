package bot

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// ParseCommand splits a chat text into a command name and its arguments. A command starts with
// "/" or the full-width "／", optionally after leading spaces: "/台账", "／绑定 123456", "/help".
// The name is lower-cased so English aliases match in any case. ok is false for ordinary text.
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
	end := strings.IndexFunc(s, unicode.IsSpace)
	if end < 0 {
		end = len(s)
	}
	name, args = s[:end], strings.TrimSpace(s[end:])
	if name == "" || !utf8.ValidString(name) || len(name) > 64 {
		return "", "", false
	}
	return strings.ToLower(name), args, true
}
