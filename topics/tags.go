package topics

import (
	"strings"
	"unicode/utf8"
)

// maxTagRunes is the longest #话题# tag, in runes.
const maxTagRunes = 20

// Tags returns the #话题# tags written in text: what stands between two # (or full-width ＃)
// on one line, 1 to 20 runes once trimmed, without duplicates, in order of appearance.
// A # inside a URL (http://a.com/#x) does not open or close a tag.
func Tags(text string) []string {
	if strings.IndexByte(text, '#') < 0 && !strings.Contains(text, "＃") {
		return nil
	}
	var tags []string
	for i := 0; i < len(text); {
		c := text[i]
		if c == 'h' || c == 'H' || c == 'w' || c == 'W' {
			if n := urlLen(text, i); n > 0 {
				i += n
				continue
			}
		}
		if w := hashLen(text[i:]); w > 0 {
			if tag, end := tagAt(text, i+w); end > 0 {
				if !contains(tags, tag) {
					tags = append(tags, tag)
				}
				i = end
				continue
			}
			i += w
			continue
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		_, size := utf8.DecodeRuneInString(text[i:])
		i += size
	}
	return tags
}

// hashLen returns the length of a # or ＃ at the start of s, or 0.
func hashLen(s string) int {
	switch {
	case strings.HasPrefix(s, "#"):
		return 1
	case strings.HasPrefix(s, "＃"):
		return len("＃")
	}
	return 0
}

// tagAt reads a tag body starting at text[start] (just after the opening #). It returns the
// trimmed tag and the index just after the closing #, or end 0 when there is no tag.
func tagAt(text string, start int) (tag string, end int) {
	runes := 0
	for j := start; j < len(text); {
		if w := hashLen(text[j:]); w > 0 {
			tag = strings.TrimFunc(text[start:j], isSpace)
			if tag == "" || utf8.RuneCountInString(tag) > maxTagRunes || !utf8.ValidString(tag) {
				return "", 0
			}
			return tag, j + w
		}
		r, size := utf8.DecodeRuneInString(text[j:])
		if r == '\n' || r == '\r' || urlLen(text, j) > 0 {
			return "", 0
		}
		runes++
		if runes > maxTagRunes+4 { // a little room for spaces that trimming removes
			return "", 0
		}
		j += size
	}
	return "", 0
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
