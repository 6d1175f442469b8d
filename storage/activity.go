package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"youthlink/counting"
	"youthlink/period"
)

// Activity is an offline or online activity, or a face-to-face talk, that a cadre logged.
type Activity struct {
	ID           int64
	Cadre        int64
	Kind         string // online, offline, face_to_face
	Title        string
	Day          time.Time
	Note         string
	Participants []int64 // identity ids of the youths who took part
	MessageID    int64   // the chat message that logged it, if any
}

// LogActivity stores an activity and counts one interaction with each participating youth
// (kind activity, or face_to_face for a talk), in the rollups too. Cadres and opted-out youths
// among the participants are kept off the count. Logged again from the same message, it returns
// the activity stored the first time and counts nothing more.
func (db *DB) LogActivity(ctx context.Context, a Activity) (int64, error) {
	kind := counting.Activity
	if a.Kind == "face_to_face" {
		kind = counting.FaceToFace
	}
	day := period.Day(a.Day)
	var id int64
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var err error
		var fresh bool
		id, fresh, err = returnedID(tx.QueryRowContext(ctx, `INSERT INTO activities (cadre_id, kind, title, day, note, created_at, message_id) VALUES (?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT DO NOTHING RETURNING id`, a.Cadre, a.Kind, a.Title, day, a.Note, db.Now().Unix(), nullInt(a.MessageID)))
		if err != nil {
			return err
		}
		if !fresh { // this message logged it already: the same activity, counted once
			return tx.QueryRowContext(ctx, `SELECT id FROM activities WHERE message_id = ?`, a.MessageID).Scan(&id)
		}
		rollup := newDeltas()
		for _, p := range a.Participants {
			var cadre sql.NullInt64
			var out bool
			if err := tx.QueryRowContext(ctx, `SELECT cadre_id, opted_out FROM identities WHERE id = ?`, p).Scan(&cadre, &out); err != nil {
				return fmt.Errorf("participant %d: %w", p, err)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO activity_participants (activity_id, identity_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, id, p); err != nil {
				return err
			}
			if cadre.Valid || out {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO interactions (cadre_id, youth_id, kind, at, day, activity_id) VALUES (?, ?, ?, ?, ?, ?)`,
				a.Cadre, p, kind, a.Day.Unix(), day, id); err != nil {
				return err
			}
			rollup.inter[interKey{cadre: a.Cadre, youth: p, day: day, kind: kind}]++
		}
		return db.apply(ctx, tx, rollup)
	})
	if err != nil {
		return 0, fmt.Errorf("log activity: %w", err)
	}
	return id, nil
}

// Activities lists a cadre's activities over span, newest first.
func (db *DB) Activities(ctx context.Context, cadre int64, span period.Span) ([]Activity, error) {
	from, to := span.Days()
	var out []Activity
	err := db.each(ctx, `SELECT a.id, a.kind, a.title, a.day, a.note, COALESCE(a.message_id, 0), COUNT(p.identity_id)
		FROM activities a LEFT JOIN activity_participants p ON p.activity_id = a.id
		WHERE a.cadre_id = ? AND a.day >= ? AND a.day <= ? GROUP BY a.id ORDER BY a.day DESC, a.id DESC`,
		[]any{cadre, from, to}, func(r *sql.Rows) error {
			a := Activity{Cadre: cadre}
			var day string
			var n int
			if err := r.Scan(&a.ID, &a.Kind, &a.Title, &day, &a.Note, &a.MessageID, &n); err != nil {
				return err
			}
			a.Day, _ = period.ParseDay(day)
			a.Participants = make([]int64, n)
			out = append(out, a)
			return nil
		})
	if err != nil {
		return nil, fmt.Errorf("list activities: %w", err)
	}
	return out, nil
}
