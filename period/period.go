// Package period names the calendar spans YouthLink counts in: days, ISO weeks and quarters, all
// in the League's time zone (Asia/Shanghai by default). Rollups are keyed by these names.
package period

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	_ "time/tzdata" // minimal hosts have no zoneinfo
)

// Zone is the time zone days and weeks are cut in.
var Zone = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(err)
	}
	return loc
}

// Span is a half-open interval of days [From, To), with its name.
type Span struct {
	Name     string
	From, To time.Time // To is exclusive
}

// Days lists the day keys of the span.
func (s Span) Days() (from, to string) { return Day(s.From), Day(s.To.Add(-time.Nanosecond)) }

// Contains reports whether t falls in the span.
func (s Span) Contains(t time.Time) bool { return !t.Before(s.From) && t.Before(s.To) }

// Day is the day key of t: "2026-11-27".
func Day(t time.Time) string { return t.In(Zone).Format(time.DateOnly) }

// Week is the ISO week key of t: "2026-W48".
func Week(t time.Time) string {
	y, w := t.In(Zone).ISOWeek()
	return fmt.Sprintf("%04d-W%02d", y, w)
}

// Quarter is the quarter key of t: "2026Q4".
func Quarter(t time.Time) string {
	t = t.In(Zone)
	return fmt.Sprintf("%04dQ%d", t.Year(), (int(t.Month())-1)/3+1)
}

// QuarterOf returns the quarter span holding t.
func QuarterOf(t time.Time) Span {
	t = t.In(Zone)
	q := (int(t.Month()) - 1) / 3
	from := time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, Zone)
	return Span{Name: Quarter(t), From: from, To: from.AddDate(0, 3, 0)}
}

// WeekOf returns the ISO week span (Monday to Monday) holding t.
func WeekOf(t time.Time) Span {
	t = t.In(Zone)
	d := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Zone)
	off := (int(d.Weekday()) + 6) % 7
	from := d.AddDate(0, 0, -off)
	return Span{Name: Week(from), From: from, To: from.AddDate(0, 0, 7)}
}

// DayOf returns the day span holding t.
func DayOf(t time.Time) Span {
	t = t.In(Zone)
	from := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Zone)
	return Span{Name: Day(from), From: from, To: from.AddDate(0, 0, 1)}
}

// ParseQuarter reads "2026Q4" (also "2026q4", "2026-Q4").
func ParseQuarter(s string) (Span, error) {
	u := strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(s), "-", ""))
	y, q, ok := strings.Cut(u, "Q")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return Span{}, fmt.Errorf("季度「%s」格式不对，应为 2026Q4 这样", s)
	case n < 1 || n > 4:
		return Span{}, fmt.Errorf("季度「%s」不存在：季度只有 Q1 到 Q4", s)
	case year < 2000 || year > 2100:
		return Span{}, fmt.Errorf("季度「%s」的年份超出范围：应在 2000 到 2100 年之间", s)
	}
	return QuarterOf(time.Date(year, time.Month((n-1)*3+1), 1, 12, 0, 0, 0, Zone)), nil
}

// ParseWeek reads an ISO week "2026-W48".
func ParseWeek(s string) (Span, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	y, w, ok := strings.Cut(u, "-W")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(w)
	switch {
	case !ok || err1 != nil || err2 != nil:
		return Span{}, fmt.Errorf("周「%s」格式不对，应为 2026-W48 这样", s)
	case n < 1 || n > 53:
		return Span{}, fmt.Errorf("周「%s」不存在：一年最多 53 周", s)
	case year < 2000 || year > 2100:
		return Span{}, fmt.Errorf("周「%s」的年份超出范围：应在 2000 到 2100 年之间", s)
	}
	// ISO week 1 holds January 4th.
	jan4 := time.Date(year, 1, 4, 12, 0, 0, 0, Zone)
	sp := WeekOf(jan4.AddDate(0, 0, 7*(n-1)))
	if sp.Name != fmt.Sprintf("%04d-W%02d", year, n) {
		return Span{}, fmt.Errorf("%d 年没有第 %d 周", year, n)
	}
	return sp, nil
}

// ParseDay reads "2026-11-27" as the start of that day.
func ParseDay(s string) (time.Time, error) {
	t, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), Zone)
	if err != nil {
		return time.Time{}, fmt.Errorf("日期「%s」格式不对，应为 2026-11-27 这样", s)
	}
	return t, nil
}

// Elapsed is how much of the span has passed at t, from 0 to 1.
func (s Span) Elapsed(t time.Time) float64 {
	switch {
	case !t.After(s.From):
		return 0
	case !t.Before(s.To):
		return 1
	}
	return float64(t.Sub(s.From)) / float64(s.To.Sub(s.From))
}

// DaysLeft is the number of whole days from t to the end of the span.
func (s Span) DaysLeft(t time.Time) int {
	if !t.Before(s.To) {
		return 0
	}
	return int(s.To.Sub(t).Hours() / 24)
}
