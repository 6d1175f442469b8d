package topics

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestClean(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", ""},
		{"plain unchanged", "明天的志愿服务活动几点集合？", "明天的志愿服务活动几点集合？"},
		{"media placeholders", "[图片][表情]你好[语音]吗[视频][文件][动画表情]", "你好 吗"},
		{"emoji code", "太难了[捂脸]", "太难了"},
		{"unknown bracket kept", "[通知]周五开会", "[通知]周五开会"},
		{"cq code", "看[CQ:image,file=abc.jpg,url=x]这个", "看 这个"},
		{"url", "招聘信息 https://mp.weixin.qq.com/s/abc?x=1&y=2 [图片]", "招聘信息"},
		{"url glued to chinese", "报名链接http://a.cn/x点这里", "报名链接 点这里"},
		{"www", "官网www.gqt.org.cn有通知", "官网 有通知"},
		{"www inside word kept", "awww.hello", "awww.hello"},
		{"upper case scheme", "HTTPS://EXAMPLE.COM/A 看", "看"},
		{"email", "有问题发邮件到 Tuanwei@example.edu.cn 谢谢", "有问题发邮件到 谢谢"},
		{"email glued", "邮箱abc.d_e@qq.com。", "邮箱 。"},
		{"mention wechat", "@张三\u2005大家看看", "大家看看"},
		{"mention qq", "@李四 @王五 收到", "收到"},
		{"mention full width", "＠团支书 在吗", "在吗"},
		{"lone at", "a @ b", "a b"},
		{"not email without dot", "abc@localhost 好", "abc 好"},
		{"whitespace collapsed", "  第一行\n\n第二行\t\u3000第三行  ", "第一行 第二行 第三行"},
		{"invalid utf8 kept", "坏\xff字", "坏\xff字"},
		{"only noise", "[图片] https://x.cn @某人", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got, want := Clean(tt.in), tt.want; got != want {
				t.Fatalf("Clean(%q) = %q, want %q", tt.in, got, want)
			}
		})
	}
}

func TestTags(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"none", "明天的志愿服务活动几点集合？", nil},
		{"one", "#考研# 今年的同学加油", []string{"考研"}},
		{"two in order", "#青年大学习#第十二期 #志愿服务#", []string{"青年大学习", "志愿服务"}},
		{"full width", "＃就业＃ 招聘会来了", []string{"就业"}},
		{"mixed hashes", "#就业＃", []string{"就业"}},
		{"trimmed", "# 心理健康 #", []string{"心理健康"}},
		{"deduped", "#考研#冲 #考研#", []string{"考研"}},
		{"empty skipped", "## #考研#", []string{"考研"}},
		{"space only then tag", "# #考研#", []string{"考研"}},
		{"no newline", "#第一行\n第二行#", nil},
		{"too long", "#" + strings.Repeat("长", 21) + "#", nil},
		{"twenty runes", "#" + strings.Repeat("长", 20) + "#", []string{strings.Repeat("长", 20)}},
		{"url fragment", "看 http://a.com/#x 和 http://b.com/#y", nil},
		{"url then tag", "https://a.com/#x #团课#", []string{"团课"}},
		{"unclosed", "#考研", nil},
		{"invalid utf8", "#\xff#", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Tags(tt.in); !slices.Equal(got, tt.want) {
				t.Fatalf("Tags(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestCleanLargeInput(t *testing.T) {
	big := strings.Repeat("明天#志愿#服务[图片]@张三 https://a.cn/#x abc@qq.com \xff", 1<<20/64)
	got := Clean(big)
	if strings.Contains(got, "[图片]") || strings.Contains(got, "http") || strings.Contains(got, "@") {
		t.Fatalf("Clean left noise in large input: %q…", got[:min(len(got), 200)])
	}
	if tags := Tags(big); !slices.Equal(tags, []string{"志愿"}) {
		t.Fatalf("Tags(large) = %q, want [志愿]", tags)
	}
}

func FuzzCleanTags(f *testing.F) {
	for _, s := range []string{
		"", "明天的志愿服务活动几点集合？", "[图片]招聘 https://a.cn/#x", "#考研# ＃就业＃",
		"邮箱abc@qq.com。", "@张三\u2005你好", "＠团支书 在吗", "# #考研#", "\xff#\xfe#",
		"www.a.cn/#b#c#", "[CQ:image,file=1]", "a  \n\t b",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		got := Clean(in)
		if len(got) > len(in) {
			t.Fatalf("Clean grew %q to %q", in, got)
		}
		if strings.HasPrefix(got, " ") || strings.HasSuffix(got, " ") || strings.Contains(got, "  ") {
			t.Fatalf("Clean(%q) = %q: spaces not collapsed", in, got)
		}
		if strings.ContainsAny(got, "@＠\n\t\u2005") {
			t.Fatalf("Clean(%q) = %q: left @ or white space", in, got)
		}
		lower := strings.ToLower(got)
		if strings.Contains(lower, "http://") || strings.Contains(lower, "https://") {
			t.Fatalf("Clean(%q) = %q: left a URL", in, got)
		}
		if utf8.ValidString(in) && !utf8.ValidString(got) {
			t.Fatalf("Clean(%q) = %q: made invalid UTF-8", in, got)
		}
		if again := Clean(got); again != got {
			t.Fatalf("Clean not idempotent: %q → %q → %q", in, got, again)
		}
		tags := Tags(in)
		for i, tag := range tags {
			n := utf8.RuneCountInString(tag)
			if n < 1 || n > maxTagRunes || strings.TrimSpace(tag) != tag || !utf8.ValidString(tag) ||
				strings.ContainsAny(tag, "#＃\n\r") || slices.Contains(tags[:i], tag) {
				t.Fatalf("Tags(%q) = %q: bad tag %q", in, tags, tag)
			}
			if !strings.Contains(in, tag) {
				t.Fatalf("Tags(%q) = %q: %q is not in the text", in, tags, tag)
			}
		}
	})
}

func BenchmarkClean(b *testing.B) {
	msg := "@张三\u2005大家看看这个招聘信息 https://mp.weixin.qq.com/s/abc [图片]"
	b.ReportAllocs()
	for b.Loop() {
		Clean(msg)
	}
}
