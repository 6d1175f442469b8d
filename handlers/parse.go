package handlers

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"

	"youthlink/period"
)

// parseActivity reads "/活动" arguments: a kind (线下/线上, offline/online), a title, and an
// optional date (see parseDate; also 今天, 昨天, 前天) anywhere after the kind; @mentions are
// ignored here.
func parseActivity(args string, now time.Time) (kind, title string, day time.Time, err error) {
	fields := strings.Fields(stripMentions(args))
	if len(fields) == 0 {
		return "", "", time.Time{}, errors.New("请写明活动类别和标题。")
	}
	switch strings.ToLower(fields[0]) {
	case "线下", "线下活动", "offline":
		kind = "offline"
	case "线上", "线上活动", "online":
		kind = "online"
	default:
		return "", "", time.Time{}, errors.New("活动类别「" + fields[0] + "」不认识，请写「线下」或「线上」。")
	}
	day = now
	var words []string
	for _, f := range fields[1:] {
		switch f {
		case "今天":
			day = now
			continue
		case "昨天":
			day = now.AddDate(0, 0, -1)
			continue
		case "前天":
			day = now.AddDate(0, 0, -2)
			continue
		}
		if d, ok, err := parseDate(f, now); ok || err != nil {
			if err != nil {
				return "", "", time.Time{}, err
			}
			if d.After(now) {
				return "", "", time.Time{}, errors.New("活动日期 " + f + " 还没到，只能登记已经开展的活动。")
			}
			day = d.Add(12 * time.Hour)
			continue
		}
		words = append(words, f)
	}
	title = strings.Join(words, " ")
	if title == "" {
		return "", "", time.Time{}, errors.New("请写上活动标题。")
	}
	if len([]rune(title)) > 100 {
		return "", "", time.Time{}, errors.New("活动标题太长了，请控制在 100 字以内。")
	}
	return kind, title, day, nil
}

// dateForms are the ways to write an activity's date: with the year, or a month and day
// without it (the first group is then empty), which means this year's, or last year's when this
// year's is more than half a year off: 12/28 written on 3 January is last year's, while 11/28
// written on 25 November is a day to come.
var dateForms = []*regexp.Regexp{
	regexp.MustCompile(`^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$`),
	regexp.MustCompile(`^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?$`),
	regexp.MustCompile(`^()(\d{1,2})月(\d{1,2})[日号]?$`),
	regexp.MustCompile(`^()(\d{1,2})/(\d{1,2})$`),
}

// dateLike is a word that is meant as a date, written or not in one of dateForms.
var dateLike = regexp.MustCompile(`^[0-9./年月日号-]*[0-9][0-9./年月日号-]*$`)

const dateHint = "日期可以写成 2026-11-20、2026/11/20、2026.11.20、2026年11月20日、11月20日 或 11/20（今年，年初写去年年底的日子也行）。"

// parseDate reads a word as the start of a day in one of dateForms; ok is false when the word
// is not a date at all. A word that looks like a date but is none is an error with the
// accepted forms.
func parseDate(w string, now time.Time) (day time.Time, ok bool, err error) {
	for _, re := range dateForms {
		m := re.FindStringSubmatch(w)
		if m == nil {
			continue
		}
		year := now.In(period.Zone).Year()
		if m[1] != "" {
			year, _ = strconv.Atoi(m[1])
		}
		month, _ := strconv.Atoi(m[2])
		dd, _ := strconv.Atoi(m[3])
		d := time.Date(year, time.Month(month), dd, 0, 0, 0, 0, period.Zone)
		if m[1] == "" && d.After(now.AddDate(0, 6, 0)) && !(month == 2 && dd == 29) {
			year--
			d = time.Date(year, time.Month(month), dd, 0, 0, 0, 0, period.Zone)
		}
		if d.Year() != year || int(d.Month()) != month || d.Day() != dd {
			return time.Time{}, true, errors.New("日期「" + w + "」不存在。" + dateHint)
		}
		return d, true, nil
	}
	if dateLike.MatchString(w) && strings.ContainsAny(w, "-/年月") {
		return time.Time{}, true, errors.New("日期「" + w + "」看不懂。" + dateHint)
	}
	return time.Time{}, false, nil
}

// stripMentions removes "@name" words (up to a space or U+2005) from command text.
func stripMentions(s string) string {
	var b strings.Builder
	skipping := false
	for _, r := range s {
		switch {
		case r == '@' || r == '＠':
			skipping = true
			continue
		case skipping && (unicode.IsSpace(r) || r == '\u2005'):
			skipping = false
			b.WriteRune(' ')
			continue
		case skipping:
			continue
		}
		b.WriteRune(r)
	}
	return strings.Join(strings.Fields(b.String()), " ")
}
