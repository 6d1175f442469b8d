package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"youthlink/counting"
	"youthlink/period"
)

// Facts are one cadre's counts over a span, read from the rollups: what records, rankings and
// digests are computed from.
type Facts struct {
	Cadre         Cadre
	Days          []counting.DayCount   // distinct youths per day and kind: the basis of points
	Reached       int                   // distinct youths with at least one direct interaction
	ByKind        map[counting.Kind]int // interactions per kind
	Activities    map[string]int        // activities logged per kind (online, offline, face_to_face)
	FaceToFace    int                   // distinct youths met face to face
	TagPosts      int                   // the cadre's messages carrying a #话题#
	Messages      int                   // the cadre's messages
	Roster        int                   // youths in the cadre's groups and bound by hand
	OpenQuestions int                   // escalated questions still waiting for the cadre
	OldestOpen    time.Time             // when the oldest of them was asked
}

// Facts reads the facts of the given cadres (all cadres when ids is empty) over span.
func (db *DB) Facts(ctx context.Context, span period.Span, ids ...int64) (map[int64]*Facts, error) {
	cadres, err := db.Cadres(ctx)
	if err != nil {
		return nil, err
	}
	want := map[int64]bool{}
	for _, id := range ids {
		want[id] = true
	}
	out := map[int64]*Facts{}
	for _, c := range cadres {
		if len(ids) == 0 || want[c.ID] {
			out[c.ID] = &Facts{Cadre: c, ByKind: map[counting.Kind]int{}, Activities: map[string]int{}}
		}
	}
	from, to := span.Days()
	filter, args := "", []any{from, to}
	if len(ids) == 1 {
		filter, args = " AND cadre_id = ?", append(args, ids[0])
	}
	get := func(id int64) *Facts { return out[id] }

	err = db.each(ctx, `SELECT cadre_id, day, kind, COUNT(*), SUM(n) FROM interaction_daily WHERE day >= ? AND day <= ?`+filter+
		` GROUP BY cadre_id, day, kind`, args, func(r *sql.Rows) error {
		var id int64
		var d counting.DayCount
		var n int
		if err := r.Scan(&id, &d.Day, &d.Kind, &d.Youths, &n); err != nil {
			return err
		}
		if f := get(id); f != nil {
			f.Days = append(f.Days, d)
			f.ByKind[d.Kind] += n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("interaction facts: %w", err)
	}
	err = db.each(ctx, `SELECT cadre_id, COUNT(DISTINCT youth_id), COUNT(DISTINCT CASE WHEN kind = 'face_to_face' THEN youth_id END)
		FROM interaction_daily WHERE day >= ? AND day <= ?`+filter+` GROUP BY cadre_id`, args, func(r *sql.Rows) error {
		var id int64
		var reached, f2f int
		if err := r.Scan(&id, &reached, &f2f); err != nil {
			return err
		}
		if f := get(id); f != nil {
			f.Reached, f.FaceToFace = reached, f2f
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("reach facts: %w", err)
	}
	err = db.each(ctx, `SELECT cadre_id, kind, COUNT(*) FROM activities WHERE day >= ? AND day <= ?`+filter+` GROUP BY cadre_id, kind`,
		args, func(r *sql.Rows) error {
			var id int64
			var k string
			var n int
			if err := r.Scan(&id, &k, &n); err != nil {
				return err
			}
			if f := get(id); f != nil {
				f.Activities[k] = n
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("activity facts: %w", err)
	}
	err = db.each(ctx, `SELECT cadre_id, SUM(messages), SUM(tag_posts) FROM cadre_daily WHERE day >= ? AND day <= ?`+filter+` GROUP BY cadre_id`,
		args, func(r *sql.Rows) error {
			var id int64
			var m, t int
			if err := r.Scan(&id, &m, &t); err != nil {
				return err
			}
			if f := get(id); f != nil {
				f.Messages, f.TagPosts = m, t
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("post facts: %w", err)
	}
	err = db.each(ctx, `SELECT r.cadre_id, COUNT(*) FROM (
			SELECT g.cadre_id AS cadre_id, m.identity_id AS identity_id FROM groups g
				JOIN group_members m ON m.group_id = g.id AND m.left_at IS NULL WHERE g.cadre_id IS NOT NULL
			UNION SELECT cadre_id, identity_id FROM roster) r
		JOIN identities i ON i.id = r.identity_id AND i.cadre_id IS NULL AND i.opted_out = 0
		GROUP BY r.cadre_id`, nil, func(r *sql.Rows) error {
		var id int64
		var n int
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		if f := get(id); f != nil {
			f.Roster = n
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("roster facts: %w", err)
	}
	err = db.each(ctx, `SELECT cadre_id, COUNT(*), MIN(asked_at) FROM questions WHERE status = 'open' AND cadre_id IS NOT NULL GROUP BY cadre_id`,
		nil, func(r *sql.Rows) error {
			var id, oldest int64
			var n int
			if err := r.Scan(&id, &n, &oldest); err != nil {
				return err
			}
			if f := get(id); f != nil {
				f.OpenQuestions, f.OldestOpen = n, time.Unix(oldest, 0)
			}
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("question facts: %w", err)
	}
	return out, nil
}

// each runs a read query on the readers and calls f for each row.
func (db *DB) each(ctx context.Context, q string, args []any, f func(*sql.Rows) error) error {
	return eachRow(ctx, db.r, q, args, f)
}

// querier is what eachRow reads from: a pool or a transaction.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// eachRow runs a query on src and calls f for each row.
func eachRow(ctx context.Context, src querier, q string, args []any, f func(*sql.Rows) error) error {
	rows, err := src.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := f(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Evidence is one fact behind a figure: the interaction, the message or activity it came from.
type Evidence struct {
	At         time.Time
	Kind       counting.Kind
	Youth      string // the youth's name as last seen
	Group      string
	Text       string // the message text ("" when not kept)
	MessageID  int64
	ActivityID int64
}

// Evidence lists a cadre's interactions over span, newest first (kind "" for all kinds).
func (db *DB) Evidence(ctx context.Context, cadre int64, span period.Span, kind counting.Kind, limit int) ([]Evidence, error) {
	from, to := span.Days()
	var out []Evidence
	err := db.each(ctx, `SELECT x.at, x.kind, COALESCE(i.name, ''), COALESCE(g.name, ''), COALESCE(m.text, ''), COALESCE(x.message_id, 0), COALESCE(x.activity_id, 0)
		FROM interactions x JOIN identities i ON i.id = x.youth_id
		LEFT JOIN groups g ON g.id = x.group_id LEFT JOIN messages m ON m.id = x.message_id
		WHERE x.cadre_id = ? AND x.day >= ? AND x.day <= ? AND (? = '' OR x.kind = ?)
		ORDER BY x.at DESC, x.id DESC LIMIT ?`, []any{cadre, from, to, kind, kind, limit}, func(r *sql.Rows) error {
		var e Evidence
		var at int64
		if err := r.Scan(&at, &e.Kind, &e.Youth, &e.Group, &e.Text, &e.MessageID, &e.ActivityID); err != nil {
			return err
		}
		e.At = time.Unix(at, 0)
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	return out, nil
}
