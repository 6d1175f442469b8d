package notify

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzSplit checks Split's promises on any input: pieces reassemble to the input, none is empty,
// none exceeds the limit unless it is a single rune, and valid UTF-8 stays valid in every piece.
func FuzzSplit(f *testing.F) {
	f.Add("你好\n世界", 4)
	f.Add("abc", 1)
	f.Add("\xff\xfe你", 2)
	f.Fuzz(func(t *testing.T, s string, max int) {
		max %= 5000
		ps := Split(s, max)
		if strings.Join(ps, "") != s {
			t.Fatal("pieces do not reassemble")
		}
		if max <= 0 || len(s) <= max {
			return
		}
		for _, p := range ps {
			if p == "" {
				t.Fatal("empty piece")
			}
			if len(p) > max && utf8.RuneCountInString(p) != 1 {
				t.Fatalf("piece of %d bytes over limit %d", len(p), max)
			}
			if utf8.ValidString(s) && !utf8.ValidString(p) {
				t.Fatalf("piece %q cuts a rune", p)
			}
		}
	})
}
