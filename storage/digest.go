package storage

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"youthlink/period"
)

// GroupMessages counts the members' messages of each given group in [from, to) days, reading
// the member_daily rollup by its primary key (one range per group).
func (db *DB) GroupMessages(ctx context.Context, groups []int64, from, to time.Time) (map[int64]int, error) {
	out := map[int64]int{}
	fromDay, toDay := period.Day(from), period.Day(to.Add(-time.Second))
	for _, g := range groups {
		var n sql.NullInt64
		err := db.r.QueryRowContext(ctx, `SELECT SUM(messages) FROM member_daily WHERE group_id = ? AND day >= ? AND day <= ?`,
			g, fromDay, toDay).Scan(&n)
		if err != nil {
			return nil, fmt.Errorf("group messages: %w", err)
		}
		out[g] = int(n.Int64)
	}
	return out, nil
}

// JobRunAt reads a job run with the time of its last attempt; ok is false when it never ran.
func (db *DB) JobRunAt(ctx context.Context, job, per, dest string) (r JobRun, at time.Time, ok bool, err error) {
	r = JobRun{Job: job, Period: per, Destination: dest}
	var unix int64
	err = db.w.QueryRowContext(ctx, `SELECT status, attempts, err, at FROM job_runs WHERE job = ? AND period = ? AND destination = ?`,
		job, per, dest).Scan(&r.Status, &r.Attempts, &r.Err, &unix)
	if err == sql.ErrNoRows {
		return r, at, false, nil
	}
	if err != nil {
		return r, at, false, fmt.Errorf("job run: %w", err)
	}
	return r, time.Unix(unix, 0), true, nil
}

// SetCacheSize sets the page cache of the writer connection to mib MiB, for bulk loads such as
// `youthlink gen` whose indexes outgrow SQLite's 2 MiB default. PostgreSQL sizes its own cache:
// there it does nothing.
func (db *DB) SetCacheSize(ctx context.Context, mib int) error {
	if db.dialect.postgres {
		return nil
	}
	if _, err := db.w.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", mib*1024)); err != nil {
		return fmt.Errorf("cache size: %w", err)
	}
	return nil
}

// ReachedByCadre counts, per cadre, the distinct youths reached over span: the Reached of
// Facts without the rest, read from an index alone (digests compare it with last week).
func (db *DB) ReachedByCadre(ctx context.Context, span period.Span) (map[int64]int, error) {
	return db.perCadre(ctx, `SELECT cadre_id, COUNT(DISTINCT youth_id) FROM interaction_daily WHERE day >= ? AND day <= ? GROUP BY cadre_id`, span)
}

// InteractionsByCadre counts, per cadre, the direct interactions over span.
func (db *DB) InteractionsByCadre(ctx context.Context, span period.Span) (map[int64]int, error) {
	return db.perCadre(ctx, `SELECT cadre_id, SUM(n) FROM interaction_daily WHERE day >= ? AND day <= ? GROUP BY cadre_id`, span)
}

func (db *DB) perCadre(ctx context.Context, q string, span period.Span) (map[int64]int, error) {
	from, to := span.Days()
	out := map[int64]int{}
	err := db.each(ctx, q, []any{from, to}, func(r *sql.Rows) error {
		var id int64
		var n int
		if err := r.Scan(&id, &n); err != nil {
			return err
		}
		out[id] = n
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("per cadre: %w", err)
	}
	return out, nil
}
