package storage

import (
	"context"
	"fmt"

	"youthlink/bot"
)

// BaselineInsert writes events as bare message rows, batch rows per transaction through one
// prepared statement: no identities, counting or rollups. It is the yardstick ingest benchmarks
// measure the engine against, on the same table with the same rows: every column the engine
// fills, group and sender numbered in order of first sight by a plain map.
//
// Plain, it checkpoints the WAL as SQLite does by default, every 1000 pages. Paced, it
// checkpoints as the engine does in a burst (walPace): SQLite's interval at walCap, and one
// checkpoint after the last commit, before it returns. The second yardstick shows how much of the
// engine's rate is that policy rather than less work.
func (db *DB) BaselineInsert(ctx context.Context, evs []bot.Event, batch int, paced bool) error {
	// As IngestBatch does: with a cancellable context the driver starts a goroutine per statement
	// to watch it, which would slow the yardstick and not the engine.
	ctx = context.WithoutCancel(ctx)
	paced = paced && !db.dialect.postgres // PostgreSQL has no WAL checkpoints to pace
	if paced {
		if _, err := db.w.ExecContext(ctx, burstPace); err != nil {
			return fmt.Errorf("baseline pace: %w", err)
		}
		defer db.w.ExecContext(ctx, steadyPace)
	}
	stmt, err := db.w.PrepareContext(ctx, `INSERT INTO messages (platform, chat_id, msg_id, group_id, sender_id, kind, text, reply_to, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return fmt.Errorf("baseline prepare: %w", err)
	}
	defer stmt.Close()
	ids := map[string]int64{}
	number := func(key string) int64 {
		n, ok := ids[key]
		if !ok {
			n = int64(len(ids) + 1)
			ids[key] = n
		}
		return n
	}
	for i := 0; i < len(evs); i += batch {
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("baseline begin: %w", err)
		}
		st := tx.StmtContext(ctx, stmt)
		for _, ev := range evs[i:min(i+batch, len(evs))] {
			group, sender := number("g\x00"+ev.ChatID), number("u\x00"+ev.Sender.ID)
			if _, err := st.ExecContext(ctx, ev.Platform, ev.ChatID, ev.MsgID, group, sender, string(ev.Kind), ev.Text, ev.ReplyTo, ev.Time.Unix()); err != nil {
				tx.Rollback()
				return fmt.Errorf("baseline insert: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("baseline commit: %w", err)
		}
	}
	if paced {
		if err := db.passiveCheckpoint(ctx); err != nil {
			return fmt.Errorf("baseline: %w", err)
		}
	}
	return nil
}
