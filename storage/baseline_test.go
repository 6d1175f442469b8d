package storage

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
)

// TestBaselineInsert: both yardsticks store every row once (a second pass changes nothing); the
// plain one leaves the connection's checkpoint interval as it found it; the paced one leaves the
// whole of it in the database file (its checkpoint after the last commit) and gives the
// connection SQLite's default interval back.
func TestBaselineInsert(t *testing.T) {
	const rows, rowBytes = 2000, 4200
	evs := make([]bot.Event, rows)
	at := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	for i := range evs {
		evs[i] = bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: fmt.Sprint("g", i%7), MsgID: fmt.Sprint(i),
			Sender: bot.User{ID: fmt.Sprint("y", i%50)}, Kind: bot.Text, Text: strings.Repeat("青年", rowBytes/6), Time: at}
	}
	for _, paced := range []bool{false, true} {
		t.Run(fmt.Sprint("paced=", paced), func(t *testing.T) {
			ctx := context.Background()
			db := backendList[0].open(t)
			// Plain leaves the connection's interval alone, paced gives SQLite's default back:
			// start from neither.
			if _, err := db.w.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", walCap)); err != nil {
				t.Fatal(err)
			}
			want := map[bool]int{false: walCap, true: sqliteAutoCheckpoint}[paced]
			for range 2 {
				if err := db.BaselineInsert(ctx, evs, 500, paced); err != nil {
					t.Fatal(err)
				}
			}
			var n, pages int
			if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages`).Scan(&n); err != nil || n != rows {
				t.Fatalf("%d rows (%v), want %d", n, err, rows)
			}
			if err := db.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil || pages != want {
				t.Fatalf("wal_autocheckpoint after the baseline: %d (%v), want %d", pages, err, want)
			}
			fi, err := os.Stat(db.path)
			if err != nil {
				t.Fatal(err)
			}
			if paced && fi.Size() < rows*rowBytes {
				t.Fatalf("paced: the database file holds %d bytes after the baseline, want its %d: no checkpoint at the end", fi.Size(), rows*rowBytes)
			}
		})
	}
}
