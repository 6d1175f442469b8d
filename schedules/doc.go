// Package schedules sends what YouthLink sends by the clock: each committee's weekly digest and
// the quarterly "five ones" (五个一) reminders — the plan at quarter start, progress at mid
// quarter, a reminder N days before quarter end to the cadres with items behind, and after the
// quarter a list of the cadres still behind to each committee.
//
// One robfig/cron (Asia/Shanghai, with Recover and SkipIfStillRunning) owned by a Scheduler
// wakes it up; cron keeps nothing between runs, so every delivery is recorded in job_runs under
// (job, period, destination), and a pass sends exactly what is due and not yet recorded as sent:
//
//   - a restart after a send sends nothing again;
//   - a run missed while the bot was down is sent at start if it is still within the catch-up
//     window (counted from when it was due, or from the end of quiet hours if it fell in them),
//     and recorded as missed otherwise;
//   - nothing goes out in quiet hours: a due send waits until they end;
//   - a failed delivery is retried with doubling back-off up to retry.attempts, each attempt
//     logged and recorded with its error.
//
// Reminders reach cadres privately at their bound chat account (through the bot's persisted
// outbox, with idempotency keys); digests and reports go to each committee's destinations: chat
// groups (outbox), WeCom, DingTalk and Feishu group robots (keys and secrets from environment
// variables the config names), or files in a directory. A crash between a webhook send and its
// record means that one delivery is tried again at the next start (at least once); outbox
// deliveries are deduplicated by key.
//
// The scheduler has an injectable clock: tests drive RunDue with a fake one.
package schedules
