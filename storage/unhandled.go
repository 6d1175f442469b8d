package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"youthlink/bot"
)

// journalRow is a live event that its handlers must see, as the journal keeps it: nil for any
// other event. The tally makes it, beside the writer; journal writes it.
func journalRow(in *bot.Incoming, st bot.Stored) (*[2]string, error) {
	if !in.Live || st.MessageID == 0 || !bot.NeedsHandling(&in.Event, st) {
		return nil, nil
	}
	ev, err := json.Marshal(in.Event)
	if err != nil {
		return nil, fmt.Errorf("journal event: %w", err)
	}
	sj, err := json.Marshal(st)
	if err != nil {
		return nil, fmt.Errorf("journal event: %w", err)
	}
	return &[2]string{string(ev), string(sj)}, nil
}

// journal keeps row, an event's journalRow, inside the ingest transaction (ins is its unhandled
// insert).
func (db *DB) journal(ctx context.Context, ins *sql.Stmt, in *bot.Incoming, st bot.Stored, row *[2]string) error {
	if row == nil {
		return nil
	}
	if _, err := ins.ExecContext(ctx, st.MessageID, row[0], row[1], in.Event.Time.Unix()); err != nil {
		return fmt.Errorf("journal event: %w", err)
	}
	return nil
}

// Unhandled implements bot.Journal: the events committed for handling whose handler did not
// finish, oldest first.
func (db *DB) Unhandled(ctx context.Context) ([]bot.Pending, error) {
	db.mu.Lock()
	done := make(map[int64]bool, len(db.handled))
	for _, id := range db.handled {
		done[id] = true
	}
	db.mu.Unlock()
	var out []bot.Pending
	err := db.each(ctx, `SELECT message_id, event, stored FROM unhandled ORDER BY message_id`, nil, func(r *sql.Rows) error {
		var id int64
		var ev, st string
		if err := r.Scan(&id, &ev, &st); err != nil {
			return err
		}
		if done[id] {
			return nil
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

// Handled implements bot.Journal: the handler of message id has run. The row is removed by the
// next ingest transaction (or Settle, or Close), not by a transaction of its own: the one writer
// stays with ingest. A crash before then hands the event to its handlers once more, which queues
// nothing twice (reply keys) and logs no activity twice.
func (db *DB) Handled(ctx context.Context, messageID int64) error {
	db.mu.Lock()
	db.handled = append(db.handled, messageID)
	db.mu.Unlock()
	return nil
}

// writeTx runs f in a write transaction that also removes the journal rows of the events
// handled since the last one; if it does not commit, those events wait for the next.
func (db *DB) writeTx(ctx context.Context, f func(*sql.Tx) error) error {
	db.mu.Lock()
	handled := db.handled
	db.handled = nil
	db.mu.Unlock()
	err := db.tx(ctx, func(tx *sql.Tx) error {
		if err := db.forgetHandled(ctx, tx, handled); err != nil {
			return err
		}
		return f(tx)
	})
	if err != nil && len(handled) > 0 {
		db.mu.Lock()
		db.handled = append(db.handled, handled...)
		db.mu.Unlock()
	}
	return err
}

// forgetHandled removes, inside tx, the journal rows of the events ids.
func (db *DB) forgetHandled(ctx context.Context, tx *sql.Tx, ids []int64) error {
	for len(ids) > 0 {
		n := min(len(ids), 500)
		args := make([]any, n)
		for i, id := range ids[:n] {
			args[i] = id
		}
		q := `DELETE FROM unhandled WHERE message_id IN (?` + strings.Repeat(", ?", n-1) + `)`
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("forget handled events: %w", err)
		}
		ids = ids[n:]
	}
	return nil
}
