package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"youthlink/bot"
	"youthlink/counting"
	"youthlink/period"
)

// Question is a youth's question to the bot, answered by it or handed to a cadre.
type Question struct {
	ID        int64
	Chat      bot.Chat
	MsgID     string // the platform id of the question message
	GroupID   int64
	Asker     int64 // identity
	AskerName string
	Cadre     int64 // who it was handed to (0: nobody found)
	Text      string
	Status    string // answered_by_bot, open, answered
	Reason    string // why it was handed off
	Answer    string
	AskedAt   time.Time
}

// AddQuestion records a question.
func (db *DB) AddQuestion(ctx context.Context, q Question) (int64, error) {
	var answered any
	if q.Status != "open" {
		answered = db.Now().Unix()
	}
	id, _, err := returnedID(db.w.QueryRowContext(ctx, `INSERT INTO questions (platform, chat_kind, chat_id, account, msg_id, group_id, asker_id, cadre_id, text, status, reason, answer, asked_at, answered_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
		q.Chat.Platform, q.Chat.Kind, q.Chat.ID, q.Chat.Account, q.MsgID, nullInt(q.GroupID), q.Asker, nullInt(q.Cadre),
		q.Text, q.Status, q.Reason, q.Answer, q.AskedAt.Unix(), answered))
	if err != nil {
		return 0, fmt.Errorf("add question: %w", err)
	}
	return id, nil
}

// handOver gives a cadre the open questions asked in a group while nobody was responsible for
// them, and reports how many.
func handOver(ctx context.Context, tx *sql.Tx, cadre, group int64) (int, error) {
	res, err := tx.ExecContext(ctx, `UPDATE questions SET cadre_id = ? WHERE status = 'open' AND cadre_id IS NULL AND group_id = ?`,
		cadre, group)
	if err != nil {
		return 0, fmt.Errorf("hand over questions: %w", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// OpenQuestions lists the questions waiting for a cadre, oldest first (cadre 0: all cadres).
func (db *DB) OpenQuestions(ctx context.Context, cadre int64) ([]Question, error) {
	return db.questions(ctx, `q.status = 'open' AND (? = 0 OR q.cadre_id = ?)`, cadre, cadre)
}

// OpenQuestion finds one question still waiting for an answer.
func (db *DB) OpenQuestion(ctx context.Context, id int64) (Question, error) {
	return db.question(ctx, `q.status = 'open' AND q.id = ?`, id)
}

// QuestionByMessage finds the question asked in a message (for a cadre quoting it to answer).
func (db *DB) QuestionByMessage(ctx context.Context, p bot.Platform, chatID, msgID string) (Question, error) {
	return db.question(ctx, `q.platform = ? AND q.chat_id = ? AND q.msg_id = ?`, p, chatID, msgID)
}

// question is the first question matching a WHERE clause, or ErrNotFound.
func (db *DB) question(ctx context.Context, where string, args ...any) (Question, error) {
	qs, err := db.questions(ctx, where, args...)
	if err != nil {
		return Question{}, err
	}
	if len(qs) == 0 {
		return Question{}, ErrNotFound
	}
	return qs[0], nil
}

// questions reads the questions matching a WHERE clause (a constant of this package), oldest first.
func (db *DB) questions(ctx context.Context, where string, args ...any) ([]Question, error) {
	var out []Question
	err := db.each(ctx, `SELECT q.id, q.platform, q.chat_kind, q.chat_id, q.account, q.msg_id, COALESCE(q.group_id, 0), q.asker_id,
			COALESCE(i.name, ''), COALESCE(q.cadre_id, 0), q.text, q.status, q.reason, q.asked_at
		FROM questions q JOIN identities i ON i.id = q.asker_id
		WHERE `+where+` ORDER BY q.asked_at, q.id`, args, func(r *sql.Rows) error {
		var q Question
		var at int64
		if err := r.Scan(&q.ID, &q.Chat.Platform, &q.Chat.Kind, &q.Chat.ID, &q.Chat.Account, &q.MsgID, &q.GroupID, &q.Asker,
			&q.AskerName, &q.Cadre, &q.Text, &q.Status, &q.Reason, &at); err != nil {
			return err
		}
		q.AskedAt = time.Unix(at, 0)
		out = append(out, q)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read questions: %w", err)
	}
	return out, nil
}

// AnswerQuestion closes an open question with the cadre's answer and counts one direct
// interaction (kind answer) between the cadre and the asker. It reports false when the question
// was not open.
func (db *DB) AnswerQuestion(ctx context.Context, id, cadre int64, answer string, at time.Time) (bool, error) {
	ok := false
	err := db.tx(ctx, func(tx *sql.Tx) error {
		var asker int64
		var group sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT asker_id, group_id FROM questions WHERE id = ? AND status = 'open'`, id).Scan(&asker, &group)
		if err == sql.ErrNoRows {
			return nil
		}
		if err != nil {
			return err
		}
		ok = true
		if _, err := tx.ExecContext(ctx, `UPDATE questions SET status = 'answered', answer = ?, answered_at = ?, cadre_id = ? WHERE id = ?`,
			answer, at.Unix(), cadre, id); err != nil {
			return err
		}
		var out bool
		var asCadre sql.NullInt64
		if err := tx.QueryRowContext(ctx, `SELECT opted_out, cadre_id FROM identities WHERE id = ?`, asker).Scan(&out, &asCadre); err != nil {
			return err
		}
		if out || asCadre.Valid {
			return nil
		}
		day := period.Day(at)
		if _, err := tx.ExecContext(ctx, `INSERT INTO interactions (cadre_id, youth_id, kind, at, day, group_id, question_id) VALUES (?, ?, 'answer', ?, ?, ?, ?)`,
			cadre, asker, at.Unix(), day, group, id); err != nil {
			return err
		}
		d := newDeltas()
		d.inter[interKey{cadre: cadre, youth: asker, day: day, kind: counting.Answer}]++
		return db.apply(ctx, tx, d)
	})
	if err != nil {
		return false, fmt.Errorf("answer question: %w", err)
	}
	return ok, nil
}

// AddUsage adds LLM token use and cost for a day, cadre, group and asker.
func (db *DB) AddUsage(ctx context.Context, at time.Time, cadre, group, asker int64, prompt, completion int, cost float64) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO llm_usage (day, cadre_id, group_id, asker_id, prompt_tokens, completion_tokens, cost)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (day, cadre_id, group_id, asker_id) DO UPDATE SET
		prompt_tokens = llm_usage.prompt_tokens + excluded.prompt_tokens,
		completion_tokens = llm_usage.completion_tokens + excluded.completion_tokens, cost = llm_usage.cost + excluded.cost`,
		period.Day(at), cadre, group, asker, prompt, completion, cost)
	if err != nil {
		return fmt.Errorf("add usage: %w", err)
	}
	return nil
}
