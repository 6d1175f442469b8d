package period

import (
	"strings"
	"testing"
	"time"
)

func TestKeys(t *testing.T) {
	tests := []struct {
		at                 time.Time
		day, week, quarter string
	}{
		{time.Date(2026, 11, 27, 10, 0, 0, 0, Zone), "2026-11-27", "2026-W48", "2026Q4"},
		// 2026-12-31 23:30 UTC is already 2027-01-01 in Shanghai.
		{time.Date(2026, 12, 31, 23, 30, 0, 0, time.UTC), "2027-01-01", "2026-W53", "2027Q1"},
		{time.Date(2026, 3, 31, 23, 59, 0, 0, Zone), "2026-03-31", "2026-W14", "2026Q1"},
	}
	for _, tt := range tests {
		if got := Day(tt.at); got != tt.day {
			t.Errorf("Day(%v) = %s, want %s", tt.at, got, tt.day)
		}
		if got := Week(tt.at); got != tt.week {
			t.Errorf("Week(%v) = %s, want %s", tt.at, got, tt.week)
		}
		if got := Quarter(tt.at); got != tt.quarter {
			t.Errorf("Quarter(%v) = %s, want %s", tt.at, got, tt.quarter)
		}
	}
}

func TestParse(t *testing.T) {
	q, err := ParseQuarter("2026Q4")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Day(q.From)+"/"+Day(q.To), "2026-10-01/2027-01-01"; got != want {
		t.Fatalf("quarter = %s, want %s", got, want)
	}
	w, err := ParseWeek("2026-W48")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := Day(w.From)+"/"+Day(w.To), "2026-11-23/2026-11-30"; got != want {
		t.Fatalf("week = %s, want %s", got, want)
	}
	for _, bad := range []string{"", "2026", "2026Q5", "Q4", "abcQ1"} {
		if _, err := ParseQuarter(bad); err == nil {
			t.Errorf("ParseQuarter(%q) accepted", bad)
		}
	}
	for _, bad := range []string{"", "2026-W0", "2026-W54", "2025-W53", "2026W48"} {
		if _, err := ParseWeek(bad); err == nil {
			t.Errorf("ParseWeek(%q) accepted", bad)
		}
	}
	if _, err := ParseDay("2026-13-01"); err == nil {
		t.Error("ParseDay accepted month 13")
	}
}

func TestSpanProgress(t *testing.T) {
	q, _ := ParseQuarter("2026Q4")
	mid := time.Date(2026, 11, 15, 12, 0, 0, 0, Zone)
	if e := q.Elapsed(mid); e < 0.4 || e > 0.6 {
		t.Fatalf("Elapsed mid-quarter = %v", e)
	}
	if got, want := q.DaysLeft(time.Date(2026, 12, 22, 0, 0, 0, 0, Zone)), 10; got != want {
		t.Fatalf("DaysLeft = %d, want %d", got, want)
	}
}

// TestParseErrorsSayWhy: a quarter or week written right but out of range is not called a
// format error: the message says what is wrong with it.
func TestParseErrorsSayWhy(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		parse    func(string) (Span, error)
	}{
		{"2026Q5", "季度「2026Q5」不存在：季度只有 Q1 到 Q4", ParseQuarter},
		{"1999Q1", "季度「1999Q1」的年份超出范围", ParseQuarter},
		{"2026Q", "季度「2026Q」格式不对", ParseQuarter},
		{"2026-W54", "周「2026-W54」不存在：一年最多 53 周", ParseWeek},
		{"1999-W10", "周「1999-W10」的年份超出范围", ParseWeek},
		{"2026W48", "周「2026W48」格式不对", ParseWeek},
		{"2025-W53", "2025 年没有第 53 周", ParseWeek},
	} {
		if _, err := tc.parse(tc.in); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.in, err, tc.want)
		}
	}
}
