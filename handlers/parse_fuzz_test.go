package handlers

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"youthlink/period"
)

// FuzzParseActivity reads any /活动 arguments: an accepted activity has a known kind, a title of
// 1 to 100 characters with no outer spaces, and a day no later than today.
func FuzzParseActivity(f *testing.F) {
	for _, s := range []string{"线下 社区志愿服务 @张三 @王五", "online 团课 2026-11-20", "线上 昨天 读书会", "线下", "offline 2026-13-01 x", "线下 " + strings.Repeat("长", 101), "线下 志愿服务 2026/11/20", "线上 11月20日 团课", "线下 x 2/30"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	f.Fuzz(func(t *testing.T, args string) {
		kind, title, day, err := parseActivity(args, now)
		if err != nil {
			if err.Error() == "" {
				t.Fatal("empty error message")
			}
			return
		}
		if kind != "offline" && kind != "online" {
			t.Fatalf("kind %q", kind)
		}
		if n := utf8.RuneCountInString(title); n == 0 || n > 100 || strings.TrimSpace(title) != title {
			t.Fatalf("title %q", title)
		}
		if !day.Before(period.DayOf(now).To) {
			t.Fatalf("day %v after today", day)
		}
	})
}
