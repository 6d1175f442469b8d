package schedules

import (
	"fmt"
	"strings"

	"github.com/robfig/cron/v3"
)

// cronFields names the five fields of a standard cron expression, in order, with their ranges.
var cronFields = []struct{ name, values string }{
	{"分钟", "0–59"}, {"小时", "0–23"}, {"日", "1–31"}, {"月", "1–12"}, {"星期", "0–6（0 是周日）"},
}

// cronReasons translates robfig/cron's complaints about one field.
var cronReasons = []struct{ en, zh string }{
	{"above maximum", "超出范围"},
	{"below minimum", "超出范围"},
	{"beyond end of range", "范围的开头大于结尾"},
	{"failed to parse int", "不是数字"},
	{"negative number", "不能是负数"},
	{"step of range should be a positive number", "「/」后的步长应为正整数"},
	{"too many hyphens", "「-」太多"},
	{"too many slashes", "「/」太多"},
}

const cronHelp = "5 个字段依次为 分 时 日 月 周，例如周一 9 点：0 9 * * 1"

// cronError explains in Chinese why spec, which cron.ParseStandard refused with err, is not a
// valid digest.cron: the field count, or which field is wrong and what range it takes.
func cronError(spec string, err error) error {
	fields := strings.Fields(spec)
	if len(fields) > 0 && (strings.HasPrefix(fields[0], "TZ=") || strings.HasPrefix(fields[0], "CRON_TZ=")) { // as cron reads them
		fields = fields[1:]
	}
	switch {
	case len(fields) == 0:
		return fmt.Errorf("digest.cron 不能为空（%s）", cronHelp)
	case strings.HasPrefix(fields[0], "@"):
		return fmt.Errorf("digest.cron「%s」不是认识的简写，可用 @weekly、@daily、@hourly、@every 1h 等，或写 5 个字段（%s）", spec, cronHelp)
	case len(fields) != 5:
		return fmt.Errorf("digest.cron「%s」应有 5 个字段，现在有 %d 个（%s）", spec, len(fields), cronHelp)
	}
	for i, f := range fields {
		probe := []string{"*", "*", "*", "*", "*"}
		probe[i] = f
		_, ferr := cron.ParseStandard(strings.Join(probe, " "))
		if ferr == nil {
			continue
		}
		why := "有误（" + ferr.Error() + "）"
		for _, r := range cronReasons {
			if strings.Contains(ferr.Error(), r.en) {
				why = r.zh
				break
			}
		}
		fd := cronFields[i]
		return fmt.Errorf("digest.cron「%s」第 %d 个字段（%s）「%s」%s：%s应为 %s（%s）", spec, i+1, fd.name, f, why, fd.name, fd.values, cronHelp)
	}
	return fmt.Errorf("digest.cron「%s」不是有效的 cron 表达式（%s）：%v", spec, cronHelp, err)
}
