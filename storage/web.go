package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"youthlink/period"
)

// WebUser is a dashboard account of a committee.
type WebUser struct {
	ID        int64
	Name      string
	Committee int64
	Hash      string // bcrypt hash of the password
	Admin     bool   // may create accounts
	CreatedAt time.Time
}

// ErrExists is returned when a dashboard account name is taken.
var ErrExists = errors.New("already exists")

// AddWebUser stores a new dashboard account.
func (db *DB) AddWebUser(ctx context.Context, u WebUser) (int64, error) {
	id, inserted, err := returnedID(db.w.QueryRowContext(ctx, `INSERT INTO web_users (name, committee_id, hash, admin, created_at)
		VALUES (?, ?, ?, ?, ?) ON CONFLICT (name) DO NOTHING RETURNING id`, u.Name, u.Committee, u.Hash, u.Admin, db.Now().Unix()))
	if err != nil {
		return 0, fmt.Errorf("add web user: %w", err)
	}
	if !inserted {
		return 0, fmt.Errorf("web user %s: %w", u.Name, ErrExists)
	}
	return id, nil
}

// SetWebPassword replaces an account's password hash.
func (db *DB) SetWebPassword(ctx context.Context, name, hash string) error {
	res, err := db.w.ExecContext(ctx, `UPDATE web_users SET hash = ? WHERE name = ?`, hash, name)
	if err != nil {
		return fmt.Errorf("set web password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("web user %s: %w", name, ErrNotFound)
	}
	return nil
}

// WebUserByName finds a dashboard account.
func (db *DB) WebUserByName(ctx context.Context, name string) (WebUser, error) {
	var u WebUser
	var at int64
	err := db.r.QueryRowContext(ctx, `SELECT id, name, committee_id, hash, admin, created_at FROM web_users WHERE name = ?`, name).
		Scan(&u.ID, &u.Name, &u.Committee, &u.Hash, &u.Admin, &at)
	if err == sql.ErrNoRows {
		return u, fmt.Errorf("web user %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return u, fmt.Errorf("find web user: %w", err)
	}
	u.CreatedAt = time.Unix(at, 0)
	return u, nil
}

// WebUsers lists every dashboard account.
func (db *DB) WebUsers(ctx context.Context) ([]WebUser, error) {
	var out []WebUser
	err := db.each(ctx, `SELECT id, name, committee_id, hash, admin, created_at FROM web_users ORDER BY id`, nil, func(r *sql.Rows) error {
		var u WebUser
		var at int64
		if err := r.Scan(&u.ID, &u.Name, &u.Committee, &u.Hash, &u.Admin, &at); err != nil {
			return err
		}
		u.CreatedAt = time.Unix(at, 0)
		out = append(out, u)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("list web users: %w", err)
	}
	return out, nil
}

// WeekContact is one ISO week's contact figures for a set of cadres.
type WeekContact struct {
	Week         string // "2026-W47"
	Reached      int    // distinct youths with a direct interaction with any of the cadres
	Interactions int
}

// WeeklyContact reads, for each ISO week from the one holding from to the one holding to, the
// youths the given cadres reached and their interactions (weeks without any are kept, as zero).
func (db *DB) WeeklyContact(ctx context.Context, cadres []int64, from, to time.Time) ([]WeekContact, error) {
	var out []WeekContact
	index := map[string]int{}
	for w := period.WeekOf(from); !w.From.After(to); w = period.WeekOf(w.To) {
		index[w.Name] = len(out)
		out = append(out, WeekContact{Week: w.Name})
	}
	if len(cadres) == 0 || len(out) == 0 {
		return out, nil
	}
	fromDay, toDay := period.Day(period.WeekOf(from).From), period.Day(period.WeekOf(to).To.Add(-time.Second))
	args := []any{fromDay, toDay}
	for _, c := range cadres {
		args = append(args, c)
	}
	seen := map[string]map[int64]bool{}
	err := db.each(ctx, `SELECT day, youth_id, SUM(n) FROM interaction_daily WHERE day >= ? AND day <= ? AND cadre_id IN (`+
		placeholders(len(cadres))+`) GROUP BY day, youth_id`, args, func(r *sql.Rows) error {
		var day string
		var youth int64
		var n int
		if err := r.Scan(&day, &youth, &n); err != nil {
			return err
		}
		d, err := period.ParseDay(day)
		if err != nil {
			return err
		}
		w := period.Week(d)
		i, ok := index[w]
		if !ok {
			return nil
		}
		if seen[w] == nil {
			seen[w] = map[int64]bool{}
		}
		if !seen[w][youth] {
			seen[w][youth] = true
			out[i].Reached++
		}
		out[i].Interactions += n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("weekly contact: %w", err)
	}
	return out, nil
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?,", n), ",")
}

// Reach is one youth a cadre reached over a span, with the interactions behind it.
type Reach struct {
	Youth        string
	Interactions int
	First, Last  time.Time
}

// Reached lists the youths a cadre reached over span, most interactions first: the evidence of
// the "reached" figure.
func (db *DB) Reached(ctx context.Context, cadre int64, span period.Span) ([]Reach, error) {
	from, to := span.Days()
	var out []Reach
	err := db.each(ctx, `SELECT COALESCE(i.name, ''), COUNT(*), MIN(x.at), MAX(x.at) FROM interactions x JOIN identities i ON i.id = x.youth_id
		WHERE x.cadre_id = ? AND x.day >= ? AND x.day <= ? GROUP BY i.id ORDER BY COUNT(*) DESC, i.name`,
		[]any{cadre, from, to}, func(r *sql.Rows) error {
			var c Reach
			var first, last int64
			if err := r.Scan(&c.Youth, &c.Interactions, &first, &last); err != nil {
				return err
			}
			c.First, c.Last = time.Unix(first, 0), time.Unix(last, 0)
			out = append(out, c)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("reached youths: %w", err)
	}
	return out, nil
}

// ActivityParticipants lists the names of the youths who took part in an activity.
func (db *DB) ActivityParticipants(ctx context.Context, activity int64) ([]string, error) {
	var out []string
	err := db.each(ctx, `SELECT COALESCE(i.name, '') FROM activity_participants p JOIN identities i ON i.id = p.identity_id
		WHERE p.activity_id = ? ORDER BY i.name`, []any{activity}, func(r *sql.Rows) error {
		var s string
		if err := r.Scan(&s); err != nil {
			return err
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("activity participants: %w", err)
	}
	return out, nil
}

// Post is a message a cadre sent.
type Post struct {
	ID    int64
	At    time.Time
	Group string
	Text  string
}

// CadrePosts lists the messages a cadre sent over span, newest first; with tagged only those
// carrying a #话题# (the evidence of the topics figure).
func (db *DB) CadrePosts(ctx context.Context, cadre int64, span period.Span, tagged bool, limit int) ([]Post, error) {
	var out []Post
	err := db.each(ctx, `SELECT m.id, m.sent_at, COALESCE(g.name, ''), COALESCE(m.text, '') FROM messages m
		JOIN identities i ON i.id = m.sender_id AND i.cadre_id = ?
		LEFT JOIN groups g ON g.id = m.group_id
		WHERE m.sent_at >= ? AND m.sent_at < ? AND m.recalled = 0 AND (? = 0 OR m.text LIKE '%#_%#%')
		ORDER BY m.sent_at DESC, m.id DESC LIMIT ?`, []any{cadre, span.From.Unix(), span.To.Unix(), tagged, limit}, func(r *sql.Rows) error {
		var p Post
		var at int64
		if err := r.Scan(&p.ID, &at, &p.Group, &p.Text); err != nil {
			return err
		}
		p.At = time.Unix(at, 0)
		out = append(out, p)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("cadre posts: %w", err)
	}
	return out, nil
}
