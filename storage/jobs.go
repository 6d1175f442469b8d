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
		ON CONFLICT (job, period, destination) DO UPDATE SET status = excluded.status, attempts = excluded.attempts, at = excluded.at, err = excluded.err`,
		r.Job, r.Period, r.Destination, r.Status, r.Attempts, db.Now().Unix(), r.Err)
	if err != nil {
		return fmt.Errorf("record job run: %w", err)
	}
	return nil
}

// ClaimJobRun starts attempt r.Attempts of a delivery (status "running"), unless another process
// got there first: it succeeds only while the stored run has r.Attempts-1 attempts (none when
// r.Attempts is 1) and is neither sent nor skipped. Processes sharing one database call it
// before sending, so that each delivery goes out once; false means leave it to the other.
func (db *DB) ClaimJobRun(ctx context.Context, r JobRun) (bool, error) {
	_, claimed, err := returnedID(db.w.QueryRowContext(ctx, `INSERT INTO job_runs (job, period, destination, status, attempts, at, err)
		VALUES (?, ?, ?, 'running', ?, ?, '')
		ON CONFLICT (job, period, destination) DO UPDATE SET status = 'running', attempts = excluded.attempts, at = excluded.at, err = ''
		WHERE job_runs.attempts = excluded.attempts - 1 AND job_runs.status NOT IN ('sent', 'skipped')
		RETURNING attempts`, r.Job, r.Period, r.Destination, r.Attempts, db.Now().Unix()))
	if err != nil {
		return false, fmt.Errorf("claim job run: %w", err)
	}
	return claimed, nil
}
