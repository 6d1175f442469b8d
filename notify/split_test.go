package notify

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name string
		s    string
		max  int
		want []string
	}{
		{"short", "你好", 10, []string{"你好"}},
		{"no limit", "abcdef", 0, []string{"abcdef"}},
		{"ascii", "abcdef", 4, []string{"abcd", "ef"}},
		{"rune boundary", "你好世界", 7, []string{"你好", "世界"}}, // 3-byte runes: 7 would cut 世
		{"prefers newline", "ab\ncdef\ngh", 9, []string{"ab\ncdef\n", "gh"}},
		{"early newline ignored", "a\nbcdefghij", 8, []string{"a\nbcdefg", "hij"}},
		{"rune bigger than limit", "你好", 2, []string{"你", "好"}},
		{"emoji", "😀😀", 5, []string{"😀", "😀"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.s, tt.max)
			if got, want := strings.Join(got, "|"), strings.Join(tt.want, "|"); got != want {
				t.Fatalf("Split(%q, %d) = %q, want %q", tt.s, tt.max, got, want)
			}
		})
	}
}

// chineseMarkdown builds about n bytes of Chinese markdown with lines of varying length.
func chineseMarkdown(n int) string {
	var b strings.Builder
	b.WriteString("# 团委周报\n\n")
	for i := 0; b.Len() < n; i++ {
		b.WriteString("- 第")
		b.WriteString(strings.Repeat("一二三四五六七八九十", 1+i%4))
		b.WriteString("条：青年联系情况良好，覆盖率稳步提升。")
		if i%7 == 0 {
			b.WriteString(strings.Repeat("长", 500)) // a line longer than half a part
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestSplitChineseMarkdown(t *testing.T) {
	s := chineseMarkdown(10 << 10)
	for _, max := range []int{WeComTextLimit, WeComMarkdownLimit, 1000, 17} {
		ps := Split(s, max)
		if len(ps) < 2 {
			t.Fatalf("max %d: %d parts, want several", max, len(ps))
		}
		for i, p := range ps {
			if len(p) > max {
				t.Fatalf("max %d: part %d has %d bytes", max, i, len(p))
			}
			if !utf8.ValidString(p) {
				t.Fatalf("max %d: part %d is not valid UTF-8", max, i)
			}
		}
		if got := strings.Join(ps, ""); got != s {
			t.Fatalf("max %d: reassembled text differs from the original", max)
		}
	}
}

var markerRE = regexp.MustCompile(`^（(\d+)/(\d+)）\n`)

func TestPartsMarkersAndLimit(t *testing.T) {
	s := chineseMarkdown(10 << 10)
	ps := parts(s, WeComMarkdownLimit, 10)
	if len(ps) < 3 {
		t.Fatalf("%d parts, want at least 3", len(ps))
	}
	var b strings.Builder
	for i, p := range ps {
		if len(p) > WeComMarkdownLimit || !utf8.ValidString(p) {
			t.Fatalf("part %d: %d bytes, valid %v", i, len(p), utf8.ValidString(p))
		}
		m := markerRE.FindStringSubmatch(p)
		if m == nil {
			t.Fatalf("part %d has no marker: %q", i, p[:20])
		}
		if got, want := m[1]+"/"+m[2], strings.Join([]string{itoa(i + 1), itoa(len(ps))}, "/"); got != want {
			t.Fatalf("part %d marker %s, want %s", i, got, want)
		}
		b.WriteString(strings.TrimPrefix(p, m[0]))
	}
	if b.String() != s {
		t.Fatal("parts without markers do not reassemble to the original")
	}
}

func TestPartsCutAtMaxParts(t *testing.T) {
	s := chineseMarkdown(10 << 10)
	ps := parts(s, 1000, 3)
	if got, want := len(ps), 3; got != want {
		t.Fatalf("%d parts, want %d", got, want)
	}
	last := ps[2]
	if !strings.HasSuffix(last, truncNotice) || len(last) > 1000 {
		t.Fatalf("last part (%d bytes) does not end with the notice: %q", len(last), last[len(last)-60:])
	}
	if !strings.HasPrefix(ps[0], "（1/3）\n") {
		t.Fatalf("first part starts %q", ps[0][:20])
	}
	if got := parts("短消息", 1000, 3); len(got) != 1 || got[0] != "短消息" {
		t.Fatalf("short message changed: %q", got)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
