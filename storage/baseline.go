package storage

import (
	"context"
	"fmt"

	"youthlink/bot"
)

// BaselineInsert writes events as bare message rows, batch rows per transaction through one
// prepared statement: no identities, counting or rollups. It is the yardstick ingest benchmarks
// measure the engine against, on the same table with the same rows.
func (db *DB) BaselineInsert(ctx context.Context, evs []bot.Event, batch int) error {
	stmt, err := db.w.PrepareContext(ctx, `INSERT INTO messages (platform, chat_id, msg_id, kind, text, reply_to, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return fmt.Errorf("baseline prepare: %w", err)
	}
	defer stmt.Close()
	for i := 0; i < len(evs); i += batch {
		tx, err := db.w.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("baseline begin: %w", err)
		}
		st := tx.StmtContext(ctx, stmt)
		for _, ev := range evs[i:min(i+batch, len(evs))] {
			if _, err := st.ExecContext(ctx, ev.Platform, ev.ChatID, ev.MsgID, string(ev.Kind), ev.Text, ev.ReplyTo, ev.Time.Unix()); err != nil {
				tx.Rollback()
				return fmt.Errorf("baseline insert: %w", err)
			}
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("baseline commit: %w", err)
		}
	}
	return nil
}
