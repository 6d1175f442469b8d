package knowledge

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSplit(t *testing.T) {
	tests := []struct {
		name   string
		source string
		text   string
		want   []Passage // Source is filled from source
	}{
		{
			name:   "markdown headings and paragraphs",
			source: "rudan.md",
			text:   "# 入团指南\n\n导语。\n\n## 申请条件\n\n条件一。\n\n条件二。\n\n### 年龄\n十四至二十八周岁。\n",
			want: []Passage{
				{Title: "入团指南", Text: "导语。"},
				{Title: "入团指南 · 申请条件", Text: "条件一。\n条件二。"},
				{Title: "入团指南 · 申请条件 · 年龄", Text: "十四至二十八周岁。"},
			},
		},
		{
			name:   "no level-1 heading: the file name is the title",
			source: "policies/就业补贴.md",
			text:   "## 对象\r\n高校毕业生。\r\n",
			want:   []Passage{{Title: "就业补贴 · 对象", Text: "高校毕业生。"}},
		},
		{
			name:   "plain text ignores '#'",
			source: "faq.TXT",
			text:   "# 不是标题\n问：团费？\n答：每月五角。\n\n\n第二段",
			want:   []Passage{{Title: "faq", Text: "# 不是标题\n问：团费？\n答：每月五角。\n第二段"}},
		},
		{
			name:   "hashtag is text, fenced code keeps its lines",
			source: "a.md",
			text:   "#话题# 讨论\n\n```\n# 注释\n\nx\n```\n",
			want:   []Passage{{Title: "a", Text: "#话题# 讨论\n```\n# 注释\n\nx\n```"}},
		},
		{
			name:   "rules separate paragraphs, closing hashes dropped",
			source: "b.markdown",
			text:   "# 标题 #\n甲\n---\n乙\n## 小节 ##\n",
			want:   []Passage{{Title: "标题", Text: "甲\n乙"}},
		},
		{
			name:   "empty file",
			source: "empty.md",
			text:   "\n\n   \n",
			want:   nil,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Split(tt.source, tt.text)
			if g, w := len(got), len(tt.want); g != w {
				t.Fatalf("got %d passages %q, want %d", g, got, w)
			}
			for i := range got {
				want := tt.want[i]
				want.Source = tt.source
				if got[i] != want {
					t.Errorf("passage %d = %q, want %q", i, got[i], want)
				}
			}
		})
	}
}

func TestSplitLongParagraph(t *testing.T) {
	sentence := "青年是国家的未来和民族的希望，要勇于担当。"  // 21 characters
	para := strings.Repeat(sentence, 50) // 1050 characters, one paragraph
	got := Split("long.txt", para)
	if len(got) < 3 {
		t.Fatalf("got %d passages, want the paragraph cut into at least 3", len(got))
	}
	var joined strings.Builder
	for i, p := range got {
		if n := utf8.RuneCountInString(p.Text); n > MaxPassage {
			t.Errorf("passage %d has %d characters, over %d", i, n, MaxPassage)
		}
		if !strings.HasSuffix(p.Text, "。") {
			t.Errorf("passage %d does not end at a sentence end: …%q", i, p.Text[len(p.Text)-9:])
		}
		joined.WriteString(p.Text)
	}
	if got, want := joined.String(), para; got != want {
		t.Fatalf("passages lost text: %d bytes, want %d", len(got), len(want))
	}
}

func TestSplitJoinsShortParagraphsUpToMax(t *testing.T) {
	para := strings.Repeat("字", 150)
	got := Split("x.md", "# T\n\n"+para+"\n\n"+para+"\n\n"+para)
	if got, want := len(got), 2; got != want {
		t.Fatalf("got %d passages, want %d (two joined, then one)", got, want)
	}
	if got, want := utf8.RuneCountInString(got[0].Text), 301; got != want {
		t.Fatalf("first passage has %d characters, want %d", got, want)
	}
}

func FuzzSplit(f *testing.F) {
	f.Add("a.md", "# 入团指南\n\n## 条件\n年满十四周岁。\n\n```\n# x\n```\n---\n")
	f.Add("b.txt", "问：团费？\r\n答：五角。\n\n第二段")
	f.Add("c.md", strings.Repeat("长句没有句号", 100))
	f.Add("d.md", "#\n##\n####### 七级\n~~~\n")
	f.Fuzz(func(t *testing.T, source, text string) {
		for i, p := range Split(source, text) {
			if p.Title == "" || p.Text == "" {
				t.Fatalf("passage %d has an empty title or text: %q", i, p)
			}
			if !utf8.ValidString(p.Title) || !utf8.ValidString(p.Text) {
				t.Fatalf("passage %d is not valid UTF-8: %q", i, p)
			}
			if p.Text != strings.TrimSpace(p.Text) {
				t.Fatalf("passage %d is not trimmed: %q", i, p.Text)
			}
			if n := utf8.RuneCountInString(p.Text); n > MaxPassage {
				t.Fatalf("passage %d has %d characters, over %d", i, n, MaxPassage)
			}
			if p.Source != source {
				t.Fatalf("passage %d source %q, want %q", i, p.Source, source)
			}
		}
	})
}
