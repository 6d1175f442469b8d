package schedules

import (
	"strings"
	"testing"
)

// TestCronErrorsInChinese checks that a bad digest.cron names the field, its range and no
// English from robfig/cron.
func TestCronErrorsInChinese(t *testing.T) {
	tests := []struct{ cron, want string }{
		{"0 25 * * 1", "第 2 个字段（小时）「25」超出范围：小时应为 0–23"},
		{"60 9 * * 1", "第 1 个字段（分钟）「60」超出范围：分钟应为 0–59"},
		{"0 9 0 * *", "第 3 个字段（日）「0」超出范围：日应为 1–31"},
		{"0 9 * 13 *", "第 4 个字段（月）「13」超出范围：月应为 1–12"},
		{"0 9 * * 7", "第 5 个字段（星期）「7」超出范围：星期应为 0–6"},
		{"0 9 * * 5-2", "「5-2」范围的开头大于结尾"},
		{"0 x * * 1", "第 2 个字段（小时）「x」不是数字"},
		{"*/0 9 * * 1", "「/」后的步长应为正整数"},
		{"0 1-2-3 * * 1", "「-」太多"},
		{"0 9 * *", "应有 5 个字段，现在有 4 个"},
		{"every monday", "应有 5 个字段，现在有 2 个"},
		{"@fortnightly", "不是认识的简写"},
		{"", "digest.cron 不能为空"},
	}
	for _, tt := range tests {
		c := DefaultConfig()
		c.Digest.Cron = tt.cron
		err := c.Validate()
		if err == nil || !strings.HasPrefix(err.Error(), "digest.cron") || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("digest.cron %q: %v, want %q", tt.cron, err, tt.want)
			continue
		}
		for _, en := range []string{"range", "maximum", "minimum", "parse", "expected", "spec"} {
			if strings.Contains(err.Error(), en) {
				t.Errorf("digest.cron %q: English %q left in %v", tt.cron, en, err)
			}
		}
	}
}
