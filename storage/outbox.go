package storage

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"youthlink/bot"
)

// AddOutgoing implements bot.OutboxStore.
func (db *DB) AddOutgoing(ctx context.Context, m bot.Outgoing) (int64, bool, error) {
	mention, err := json.Marshal(m.Mention)
	if err != nil {
		return 0, false, fmt.Errorf("encode mentions: %w", err)
	}
	var key any
	if m.Key != "" {
		key = m.Key
	}
	now := db.Now()
	id, inserted, err := returnedID(db.w.QueryRowContext(ctx, `INSERT INTO outbox (key, platform, account, chat_kind, chat_id, text, reply_to, mention, next_at, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (key) DO NOTHING RETURNING id`,
		key, m.Chat.Platform, m.Chat.Account, m.Chat.Kind, m.Chat.ID, m.Text, m.ReplyTo, string(mention), now.UnixMilli(), now.Unix()))
	if err != nil {
		return 0, false, fmt.Errorf("add outgoing: %w", err)
	}
	return id, !inserted, nil
}

// DueOutgoing implements bot.OutboxStore. On PostgreSQL, where one process serves each bot
// account, it lists only messages for the accounts this process has received messages on (and
// those tied to no account): a reply goes out through the account its question came in on.
func (db *DB) DueOutgoing(ctx context.Context, now time.Time, limit int) ([]bot.Outgoing, error) {
	filter, args := db.servedFilter()
	rows, err := db.r.QueryContext(ctx, `SELECT id, COALESCE(key, ''), platform, account, chat_kind, chat_id, text, reply_to, mention, attempts
		FROM outbox WHERE status = 'pending' AND next_at <= ?`+filter+` ORDER BY id LIMIT ?`, append(append([]any{now.UnixMilli()}, args...), limit)...)
	if err != nil {
		return nil, fmt.Errorf("due outgoing: %w", err)
	}
	defer rows.Close()
	var out []bot.Outgoing
	for rows.Next() {
		var m bot.Outgoing
		var mention string
		if err := rows.Scan(&m.ID, &m.Key, &m.Chat.Platform, &m.Chat.Account, &m.Chat.Kind, &m.Chat.ID, &m.Text, &m.ReplyTo, &mention, &m.Attempts); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(mention), &m.Mention); err != nil {
			return nil, fmt.Errorf("outbox %d mentions: %w", m.ID, err)
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// servedFilter limits outbox queries, on PostgreSQL, to the accounts this process serves (and
// messages tied to none); on SQLite it is empty.
func (db *DB) servedFilter() (string, []any) {
	if !db.dialect.postgres {
		return "", nil
	}
	filter, args := ` AND (account = ''`, []any{}
	db.mu.Lock()
	for k := range db.served {
		filter += ` OR (platform = ? AND account = ?)`
		args = append(args, k[0], k[1])
	}
	db.mu.Unlock()
	return filter + `)`, args
}

// NextDue implements bot.NextDuer: when the earliest pending message this process may send,
// not yet due at after, comes due.
func (db *DB) NextDue(ctx context.Context, after time.Time) (time.Time, bool, error) {
	filter, args := db.servedFilter()
	var at sql.NullInt64
	if err := db.r.QueryRowContext(ctx, `SELECT MIN(next_at) FROM outbox WHERE status = 'pending' AND next_at > ?`+filter,
		append([]any{after.UnixMilli()}, args...)...).Scan(&at); err != nil {
		return time.Time{}, false, fmt.Errorf("next due: %w", err)
	}
	return time.UnixMilli(at.Int64), at.Valid, nil
}

// claimLease is how long a claimed message stays with the process that claimed it: if that
// process dies between claim and result, the message comes due again after it.
const claimLease = time.Minute

// ClaimOutgoing implements bot.OutboxClaimer: it takes message id for this process just before
// it is sent, so that two processes sharing the store never both send it. false means another
// process took it first.
func (db *DB) ClaimOutgoing(ctx context.Context, id int64, now time.Time) (bool, error) {
	res, err := db.w.ExecContext(ctx, `UPDATE outbox SET next_at = ? WHERE id = ? AND status = 'pending' AND next_at <= ?`,
		now.Add(claimLease).UnixMilli(), id, now.UnixMilli())
	if err != nil {
		return false, fmt.Errorf("claim outgoing %d: %w", id, err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// MarkOutgoing implements bot.OutboxStore.
func (db *DB) MarkOutgoing(ctx context.Context, id int64, r bot.SendResult) error {
	var err error
	now := db.Now().Unix()
	switch r.Status {
	case "sent":
		_, err = db.w.ExecContext(ctx, `UPDATE outbox SET status = 'sent', attempts = ?, sent_at = ?, platform_msg_id = ?, err = '' WHERE id = ?`,
			r.Attempts, now, r.PlatformID, id)
	case "retry":
		_, err = db.w.ExecContext(ctx, `UPDATE outbox SET attempts = ?, next_at = ?, err = ? WHERE id = ?`, r.Attempts, r.Next.UnixMilli(), r.Err, id)
	case "failed":
		_, err = db.w.ExecContext(ctx, `UPDATE outbox SET status = 'failed', attempts = ?, err = ? WHERE id = ?`, r.Attempts, r.Err, id)
	default:
		return fmt.Errorf("mark outgoing: unknown status %q", r.Status)
	}
	if err != nil {
		return fmt.Errorf("mark outgoing %d: %w", id, err)
	}
	return nil
}

// OutboxCounts returns how many messages are pending, sent and failed.
func (db *DB) OutboxCounts(ctx context.Context) (map[string]int, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT status, COUNT(*) FROM outbox GROUP BY status`)
	if err != nil {
		return nil, fmt.Errorf("outbox counts: %w", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// SentTexts lists sent messages to one chat, oldest first (for tests and the console).
func (db *DB) SentTexts(ctx context.Context, chatID string) ([]string, error) {
	rows, err := db.r.QueryContext(ctx, `SELECT text FROM outbox WHERE chat_id = ? AND status = 'sent' ORDER BY id`, chatID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
