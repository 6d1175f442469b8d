package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"youthlink/bot"
)

// journal keeps, inside the ingest transaction, a live event that its handlers must see.
func (db *DB) journal(ctx context.Context, tx *sql.Tx, in *bot.Incoming, st bot.Stored) error {
	if !in.Live || st.MessageID == 0 || !bot.NeedsHandling(&in.Event, st) {
		return nil
	}
	ev, err := json.Marshal(in.Event)
	if err != nil {
		return fmt.Errorf("journal event: %w", err)
	}
	sj, err := json.Marshal(st)
	if err != nil {
		return fmt.Errorf("journal event: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO unhandled (message_id, event, stored, at) VALUES (?, ?, ?, ?)
		ON CONFLICT (message_id) DO NOTHING`, st.MessageID, string(ev), string(sj), in.Event.Time.Unix()); err != nil {
		return fmt.Errorf("journal event: %w", err)
	}
	return nil
}

// Unhandled implements bot.Journal: the events committed for handling whose handler did not
// finish, oldest first.
func (db *DB) Unhandled(ctx context.Context) ([]bot.Pending, error) {
	var out []bot.Pending
	err := db.each(ctx, `SELECT message_id, event, stored FROM unhandled ORDER BY message_id`, nil, func(r *sql.Rows) error {
		var id int64
		var ev, st string
		if err := r.Scan(&id, &ev, &st); err != nil {
			return err
		}
		var p bot.Pending
		if err := json.Unmarshal([]byte(ev), &p.Event); err != nil {
			return fmt.Errorf("unhandled event %d: %w", id, err)
		}
		if err := json.Unmarshal([]byte(st), &p.Stored); err != nil {
			return fmt.Errorf("unhandled event %d: %w", id, err)
		}
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("unhandled events: %w", err)
	}
	return out, nil
}

// Handled implements bot.Journal: the handler of message id has run.
func (db *DB) Handled(ctx context.Context, messageID int64) error {
	if _, err := db.w.ExecContext(ctx, `DELETE FROM unhandled WHERE message_id = ?`, messageID); err != nil {
		return fmt.Errorf("mark handled: %w", err)
	}
	return nil
}
