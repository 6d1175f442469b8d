package period

import (
	"testing"
	"time"
)

// FuzzParse reads any text as a quarter, an ISO week and a day (they come from the CLI, chat
// commands and dashboard links): what is accepted reads back the same from its own name, and a
// span is never empty.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"2026Q4", "2026-q1", "2026-W48", "2020-W53", "2026-11-27", " 2026Q0", "Q", "-W", "2026-02-30"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if q, err := ParseQuarter(s); err == nil {
			if again, err := ParseQuarter(q.Name); err != nil || again != q || !q.From.Before(q.To) {
				t.Fatalf("quarter %q → %+v, read back %+v, %v", s, q, again, err)
			}
		}
		if w, err := ParseWeek(s); err == nil {
			if again, err := ParseWeek(w.Name); err != nil || again != w || w.To.Sub(w.From) < 6*24*time.Hour {
				t.Fatalf("week %q → %+v, read back %+v, %v", s, w, again, err)
			}
		}
		if d, err := ParseDay(s); err == nil {
			if again, err := ParseDay(d.Format(time.DateOnly)); err != nil || !again.Equal(d) {
				t.Fatalf("day %q → %v, read back %v, %v", s, d, again, err)
			}
		}
	})
}
