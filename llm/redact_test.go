package llm

import (
	"regexp"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedact(t *testing.T) {
	tests := []struct {
		in, want string
	}{
		{"我的手机是13812345678，请联系", "我的手机是[手机号]，请联系"},
		{"电话：+86 138 1234 5678。", "电话：[手机号]。"},
		{"138-1234-5678 或 8615912345678", "[手机号] 或 [手机号]"},
		{"身份证110101199003071234", "身份证[身份证号]"},
		{"身份证号 11010119900307123X 末位是X", "身份证号 [身份证号] 末位是X"},
		{"邮箱 zhang.san+tw@mail.example.edu.cn 收", "邮箱 [邮箱] 收"},
		{"订单号 2138123456789 不是手机号", "订单号 2138123456789 不是手机号"},
		{"12345678901 不是手机号（第二位是2）", "12345678901 不是手机号（第二位是2）"},
		{"19位数字1101011990030712345不是身份证", "19位数字1101011990030712345不是身份证"},
		{"团费0.5元，2026年10月1日", "团费0.5元，2026年10月1日"},
		{"170 17000000000 170", "170 [手机号] 170"},
		{"团委电话 010-85212345", "团委电话 010-85212345"},
		{"@张三 你好", "@张三 你好"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

var (
	phoneShape = regexp.MustCompile(`^1[3-9]\d{9}$`)
	emailShape = regexp.MustCompile(`^[a-z0-9]+@[a-z0-9]+\.[a-z]{2,}$`)
)

func FuzzRedact(f *testing.F) {
	f.Add("手机13812345678", "13912345678")
	f.Add("身份证110101199003071234，邮箱a@b.cn", "x@y.com")
	f.Add("+86 138 1234 5678", "")
	f.Add("\xff\xfe13800000000", "15000000000")
	f.Fuzz(func(t *testing.T, s, secret string) {
		got := Redact(s)
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Redact made invalid UTF-8 of %q: %q", s, got)
		}
		if again := Redact(got); again != got {
			t.Fatalf("Redact is not idempotent on %q: %q then %q", s, got, again)
		}
		// A phone number or e-mail set apart by spaces never survives.
		if phoneShape.MatchString(secret) || emailShape.MatchString(secret) {
			in := s + " " + secret + " " + s
			if out := Redact(in); strings.Contains(out, secret) {
				t.Fatalf("Redact(%q) = %q still contains %q", in, out, secret)
			}
		}
	})
}
