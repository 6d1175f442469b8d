package storage

import (
	"context"
	"database/sql"
	"fmt"
)

// JobRun is the record of one scheduled delivery: (job, period, destination) happens once.
type JobRun struct {
	Job, Period, Destination string
	Status                   string // "sent", "failed", "running"
	Attempts                 int
	Err                      string
}

// JobRun reads the run of a job for a period and destination; ok is false when it never ran.
func (db *DB) JobRun(ctx context.Context, job, per, dest string) (JobRun, bool, error) {
	r := JobRun{Job: job, Period: per, Destination: dest}
	err := db.w.QueryRowContext(ctx, `SELECT status, attempts, err FROM job_runs WHERE job = ? AND period = ? AND destination = ?`,
		job, per, dest).Scan(&r.Status, &r.Attempts, &r.Err)
	if err == sql.ErrNoRows {
		return r, false, nil
	}
	if err != nil {
		return r, false, fmt.Errorf("job run: %w", err)
	}
	return r, true, nil
}

// RecordJobRun stores the outcome of an attempt.
func (db *DB) RecordJobRun(ctx context.Context, r JobRun) error {
	_, err := db.w.ExecContext(ctx, `INSERT INTO job_runs (job, period, destination, status, attempts, at, err) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT DO UPDATE SET status = excluded.status, attempts = excluded.attempts, at = excluded.at, err = excluded.err`,
		r.Job, r.Period, r.Destination, r.Status, r.Attempts, db.Now().Unix(), r.Err)
	if err != nil {
		return fmt.Errorf("record job run: %w", err)
	}
	return nil
}
