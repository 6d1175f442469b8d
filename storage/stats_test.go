package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"youthlink/bot"
)

// TestGroupStatsFirstLastOnlySpeaking pins that first_at and last_at mark when a member spoke:
// being @-mentioned counts as an interaction but moves neither, whatever the batches were.
func TestGroupStatsFirstLastOnlySpeaking(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		at := func(h int) time.Time { return time.Date(2026, 11, 23, h, 0, 0, 0, time.FixedZone("CST", 8*3600)) }
		msgs := []bot.Incoming{
			msg("1", "y1", "大家好", at(10)),
			msg("2", "c1", "@y1 欢迎", at(11), "y1"),
			msg("3", "c1", "@y2 你也来说两句", at(12), "y2"),
		}
		for _, split := range []bool{false, true} {
			t.Run(fmt.Sprintf("one batch per message %v", split), func(t *testing.T) {
				ctx := context.Background()
				db, _, _ := testDB(t, b)
				if split {
					for _, m := range msgs {
						if _, err := db.IngestBatch(ctx, []bot.Incoming{m}); err != nil {
							t.Fatal(err)
						}
					}
				} else if _, err := db.IngestBatch(ctx, msgs); err != nil {
					t.Fatal(err)
				}
				gs, err := db.GroupsByName(ctx, bot.QQ, "青年一群")
				if err != nil || len(gs) != 1 {
					t.Fatalf("groups %v, %v", gs, err)
				}
				st, err := db.GroupStats(ctx, gs[0], at(0), at(24), 10)
				if err != nil {
					t.Fatal(err)
				}
				got := map[string]string{}
				for _, m := range st.Members {
					first, last := "-", "-"
					if !m.FirstAt.IsZero() {
						first, last = m.FirstAt.Format("15"), m.LastAt.Format("15")
					}
					got[m.ID] = fmt.Sprintf("%d msg %d inter %s-%s", m.Messages, m.Interactions, first, last)
				}
				want := map[string]string{
					"c1": "2 msg 2 inter 11-12",
					"y1": "1 msg 1 inter 10-10",
					"y2": "0 msg 1 inter ---",
				}
				if fmt.Sprint(got) != fmt.Sprint(want) {
					t.Fatalf("members\n got %v\nwant %v", got, want)
				}
				if got, want := st.Messages, 3; got != want {
					t.Fatalf("messages %d, want %d", got, want)
				}
			})
		}
	})
}
