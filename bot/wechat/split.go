package wechat

import "unicode/utf8"

// split cuts s into pieces of at most max runes, preferring to cut after a newline in the last
// quarter of a piece. It never cuts inside a rune. max ≤ 0 means no limit.
func split(s string, max int) []string {
	if max <= 0 || utf8.RuneCountInString(s) <= max {
		return []string{s}
	}
	var out []string
	for s != "" {
		if utf8.RuneCountInString(s) <= max {
			out = append(out, s)
			break
		}
		cut, lastNL, n := 0, -1, 0
		for i, r := range s {
			if n == max {
				cut = i
				break
			}
			n++
			if r == '\n' && n > max*3/4 {
				lastNL = i + 1
			}
		}
		if lastNL > 0 {
			cut = lastNL
		}
		out = append(out, s[:cut])
		s = s[cut:]
	}
	return out
}
