package bot

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what one event may carry. Longer text is cut on a rune boundary and marked, so a
// 1 MB paste is stored safely instead of refused.
const (
	MaxTextBytes = 16 << 10
	MaxNameRunes = 64
	MaxIDBytes   = 256
	truncMark    = "…（内容过长，已截断）"
)

// ErrInvalid marks an event an adapter should not have produced: it is refused with the reason.
var ErrInvalid = errors.New("invalid event")

// Normalize checks an event and makes its text safe to store: valid UTF-8, no control characters
// but newline and tab, bounded length, a time. It returns a wrapped ErrInvalid naming what is
// missing when the event cannot be stored at all.
func Normalize(ev *Event, now time.Time) error {
	switch {
	case ev.Platform == "":
		return fmt.Errorf("%w: no platform", ErrInvalid)
	case ev.ChatID == "":
		return fmt.Errorf("%w: no chat id", ErrInvalid)
	case ev.MsgID == "":
		return fmt.Errorf("%w: no message id", ErrInvalid)
	case ev.Sender.ID == "" && ev.Kind != System:
		return fmt.Errorf("%w: no sender", ErrInvalid)
	case len(ev.ChatID) > MaxIDBytes || len(ev.MsgID) > MaxIDBytes || len(ev.Sender.ID) > MaxIDBytes:
		return fmt.Errorf("%w: id longer than %d bytes", ErrInvalid, MaxIDBytes)
	}
	if ev.ChatKind != Group && ev.ChatKind != Private {
		return fmt.Errorf("%w: chat kind %q", ErrInvalid, ev.ChatKind)
	}
	if ev.Kind == "" {
		ev.Kind = Text
	}
	if ev.Time.IsZero() {
		ev.Time = now
	}
	ev.ChatID, ev.MsgID, ev.Sender.ID = cleanLine(ev.ChatID), cleanLine(ev.MsgID), cleanLine(ev.Sender.ID)
	ev.ChatName = cleanName(ev.ChatName)
	ev.Sender.Name, ev.Sender.Card = cleanName(ev.Sender.Name), cleanName(ev.Sender.Card)
	for i := range ev.Mentions {
		ev.Mentions[i].ID = cleanLine(ev.Mentions[i].ID)
		ev.Mentions[i].Name, ev.Mentions[i].Card = cleanName(ev.Mentions[i].Name), cleanName(ev.Mentions[i].Card)
	}
	ev.Text = CleanText(ev.Text, MaxTextBytes)
	return nil
}

// CleanText makes s valid UTF-8 without control characters (newline and tab stay), and cuts it
// to at most max bytes on a rune boundary with a visible mark.
func CleanText(s string, max int) string {
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "\uFFFD")
	}
	if strings.IndexFunc(s, isBadControl) >= 0 {
		s = strings.Map(func(r rune) rune {
			if isBadControl(r) {
				return -1
			}
			return r
		}, s)
	}
	if len(s) > max {
		cut := max - len(truncMark)
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut] + truncMark
	}
	return s
}

func isBadControl(r rune) bool {
	return r != '\n' && r != '\t' && (unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || r == '\uFEFF')
}

func cleanLine(s string) string {
	s = CleanText(s, MaxIDBytes)
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' {
			return ' '
		}
		return r
	}, s)
}

func cleanName(s string) string {
	s = strings.TrimSpace(cleanLine(s))
	if utf8.RuneCountInString(s) > MaxNameRunes {
		s = string([]rune(s)[:MaxNameRunes])
	}
	return s
}
