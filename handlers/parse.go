package handlers

import (
	"errors"
	"strings"
	"time"
	"unicode"

	"youthlink/period"
)

// parseActivity reads "/活动" arguments: a kind (线下/线上, offline/online), a title, and an
// optional date (2026-11-20, 今天, 昨天, 前天) anywhere after the kind; @mentions are ignored here.
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
		if len(f) == 10 && f[4] == '-' && f[7] == '-' {
			d, err := period.ParseDay(f)
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
