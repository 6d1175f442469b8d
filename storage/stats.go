package storage

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"time"

	"youthlink/bot"
	"youthlink/period"
)

// Group is a chat group known to YouthLink.
type Group struct {
	ID       int64
	Platform bot.Platform
	ChatID   string
	Name     string
	Cadre    int64
}

// GroupsByName finds groups by name (platform "" for any platform).
func (db *DB) GroupsByName(ctx context.Context, p bot.Platform, name string) ([]Group, error) {
	return db.groupList(ctx, `WHERE name = ? AND (? = '' OR platform = ?)`, name, p, p)
}

// Groups lists every group.
func (db *DB) Groups(ctx context.Context) ([]Group, error) {
	return db.groupList(ctx, ``)
}

// groupList reads groups matching a WHERE clause (a constant of this package), by id.
func (db *DB) groupList(ctx context.Context, where string, args ...any) ([]Group, error) {
	var out []Group
	err := db.each(ctx, `SELECT id, platform, chat_id, name, COALESCE(cadre_id, 0) FROM groups `+where+` ORDER BY id`, args,
		func(r *sql.Rows) error {
			var g Group
			if err := r.Scan(&g.ID, &g.Platform, &g.ChatID, &g.Name, &g.Cadre); err != nil {
				return err
			}
			out = append(out, g)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list groups: %w", err)
	}
	return out, nil
}

// MemberStat is one member's counts in a group over a span.
type MemberStat struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	Messages     int       `json:"messages"`
	Interactions int       `json:"interactions"`
	FirstAt      time.Time `json:"first_at"` // zero when the member sent no message in the span
	LastAt       time.Time `json:"last_at"`
}

// Count is a named count: a topic or keyword.
type Count struct {
	Name string
	N    int
}

// GroupStats are a group's counts over a span, read from the rollups.
type GroupStats struct {
	Group    Group
	Messages int
	Members  []MemberStat
	Topics   []Count
	Keywords []Count
}

// GroupStats reads a group's per-member counts over [from, to) days, and its topics and keywords
// for the ISO weeks the span touches (topics are kept per week).
func (db *DB) GroupStats(ctx context.Context, g Group, from, to time.Time, topN int) (GroupStats, error) {
	st := GroupStats{Group: g}
	fromDay, toDay := period.Day(from), period.Day(to.Add(-time.Second))
	// Days without a message of the member (only interactions) say nothing of when they spoke.
	err := db.each(ctx, `SELECT i.user_id, i.name, SUM(d.messages), SUM(d.interactions),
		MIN(CASE WHEN d.messages > 0 THEN d.first_at END), MAX(CASE WHEN d.messages > 0 THEN d.last_at END)
		FROM member_daily d JOIN identities i ON i.id = d.identity_id
		WHERE d.group_id = ? AND d.day >= ? AND d.day <= ? AND i.opted_out = 0
		GROUP BY i.id ORDER BY SUM(d.messages) DESC, i.user_id`, []any{g.ID, fromDay, toDay}, func(r *sql.Rows) error {
		var m MemberStat
		var first, last sql.NullInt64
		if err := r.Scan(&m.ID, &m.Name, &m.Messages, &m.Interactions, &first, &last); err != nil {
			return err
		}
		if first.Valid && last.Valid {
			m.FirstAt, m.LastAt = time.Unix(first.Int64, 0).In(period.Zone), time.Unix(last.Int64, 0).In(period.Zone)
		}
		st.Messages += m.Messages
		st.Members = append(st.Members, m)
		return nil
	})
	if err != nil {
		return st, fmt.Errorf("member stats: %w", err)
	}
	fromWeek, toWeek := period.Week(from), period.Week(to.Add(-time.Second))
	if st.Topics, err = db.weekly(ctx, `topic_weekly`, `topic`, `messages`, g.ID, fromWeek, toWeek, topN); err != nil {
		return st, err
	}
	if st.Keywords, err = db.weekly(ctx, `keyword_weekly`, `word`, `n`, g.ID, fromWeek, toWeek, topN); err != nil {
		return st, err
	}
	return st, nil
}

// weekly sums a weekly rollup (table, name and count columns are constants of this package).
func (db *DB) weekly(ctx context.Context, table, nameCol, countCol string, group int64, fromWeek, toWeek string, n int) ([]Count, error) {
	var out []Count
	q := `SELECT ` + nameCol + `, SUM(` + countCol + `) AS c FROM ` + table + ` WHERE group_id = ? AND week >= ? AND week <= ?
		GROUP BY ` + nameCol + ` ORDER BY c DESC, ` + nameCol + ` LIMIT ?`
	err := db.each(ctx, q, []any{group, fromWeek, toWeek, n}, func(r *sql.Rows) error {
		var c Count
		if err := r.Scan(&c.Name, &c.N); err != nil {
			return err
		}
		out = append(out, c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	return out, nil
}

// TopTopics sums topics (and, separately, keywords) over several groups for weeks [fromWeek, toWeek].
func (db *DB) TopTopics(ctx context.Context, groups []int64, fromWeek, toWeek string, n int) (topics, keywords []Count, err error) {
	tm, km := map[string]int{}, map[string]int{}
	for _, g := range groups {
		t, err := db.weekly(ctx, `topic_weekly`, `topic`, `messages`, g, fromWeek, toWeek, 1000)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range t {
			tm[c.Name] += c.N
		}
		k, err := db.weekly(ctx, `keyword_weekly`, `word`, `n`, g, fromWeek, toWeek, 1000)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range k {
			km[c.Name] += c.N
		}
	}
	return topCounts(tm, n), topCounts(km, n), nil
}

func topCounts(m map[string]int, n int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].N != out[j].N {
			return out[i].N > out[j].N
		}
		return out[i].Name < out[j].Name
	})
	if len(out) > n {
		out = out[:n]
	}
	return out
}

// MessageCount is how many messages are stored (for load tests and the crash check).
func (db *DB) MessageCount(ctx context.Context) (int64, error) {
	var n int64
	err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages`).Scan(&n)
	return n, err
}

// MissingMessages lists which of the given message ids (any chat) are not stored on a platform.
func (db *DB) MissingMessages(ctx context.Context, p bot.Platform, ids map[string]bool) ([]string, error) {
	have := map[string]bool{}
	err := db.each(ctx, `SELECT msg_id FROM messages WHERE platform = ?`, []any{p}, func(r *sql.Rows) error {
		var id string
		if err := r.Scan(&id); err != nil {
			return err
		}
		have[id] = true
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list message ids: %w", err)
	}
	var out []string
	for id := range ids {
		if !have[id] {
			out = append(out, id)
		}
	}
	return out, nil
}

// RollupDrift counts the rollup rows that differ from a recount of the raw rows: interaction_daily
// against interactions, and the message counts of member_daily against messages (group messages
// of members still counted; the bot's own messages are not expected). 0 when the rollups are
// exact. Pending rollup increments are settled first.
func (db *DB) RollupDrift(ctx context.Context) (int, error) {
	if err := db.settleNow(ctx); err != nil {
		return 0, err
	}
	inter := [2]string{`SELECT cadre_id, day, kind, youth_id, COUNT(*) AS n FROM interactions GROUP BY 1, 2, 3, 4`,
		`SELECT cadre_id, day, kind, youth_id, n FROM interaction_daily`}
	member := [2]string{`SELECT m.group_id, ` + db.dialect.daySQL("m.sent_at") + `, m.sender_id, COUNT(*)
			FROM messages m JOIN identities i ON i.id = m.sender_id
			WHERE m.group_id IS NOT NULL AND m.kind <> 'system' AND i.opted_out = 0 GROUP BY 1, 2, 3`,
		`SELECT group_id, day, identity_id, messages FROM member_daily WHERE messages > 0`}
	total := 0
	for _, q := range [][2]string{inter, member} {
		for _, pair := range [][2]string{{q[0], q[1]}, {q[1], q[0]}} {
			var n int
			if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM (`+pair[0]+` EXCEPT `+pair[1]+`) AS d`).Scan(&n); err != nil {
				return 0, fmt.Errorf("recount: %w", err)
			}
			total += n
		}
	}
	return total, nil
}
