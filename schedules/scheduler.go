package schedules

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"youthlink/bot"
	"youthlink/digest"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

// Store is what the scheduler reads and records: the digest's figures, the cadres' chat
// accounts and the job runs.
type Store interface {
	digest.Source
	JobRunAt(ctx context.Context, job, per, dest string) (storage.JobRun, time.Time, bool, error)
	RecordJobRun(ctx context.Context, r storage.JobRun) error
	// ClaimJobRun starts an attempt unless another process sharing the store already did.
	ClaimJobRun(ctx context.Context, r storage.JobRun) (bool, error)
	CadreContact(ctx context.Context, cadre int64, p bot.Platform) (bot.User, bool, error)
}

// Options wire a Scheduler. Policy and Outbox come from the app; the rest may be left zero.
type Options struct {
	Policy     record.Policy
	Outbox     Enqueuer          // chat destinations and reminders to cadres; nil: those fail
	Overview   digest.Overviewer // writes the digest's opening paragraph when digest.overview is on
	Getenv     func(string) string
	HTTPClient *http.Client // for the group robots
	Now        func() time.Time
	Log        *slog.Logger
}

// Report counts what one pass did.
type Report struct {
	Sent, Failed, Skipped, Missed, Waiting int
}

// Scheduler sends digests and reminders when due, each (job, period, destination) once.
type Scheduler struct {
	cfg   Config
	st    Store
	o     Options
	jobs  []*job
	dests map[string][]dest // committee → its destinations

	quiet      bool
	qFrom, qTo int // minutes after midnight
	mu         sync.Mutex
	cron       *cron.Cron
	wg         sync.WaitGroup
}

// job is one kind of scheduled delivery.
type job struct {
	name   string
	sched  cron.Schedule
	period func(occ time.Time) string
	// deliveries lists, for one occurrence, where it goes; sending builds the content lazily.
	deliveries func(ctx context.Context, occ time.Time, per string) ([]delivery, error)
}

// delivery is one destination of one occurrence.
type delivery struct {
	dest string
	skip string // why it cannot be delivered (nothing is sent), "" to send
	send func(ctx context.Context, ref string) error
}

// allDone is the destination under which a finished occurrence is recorded.
const allDone = "*"

// New builds a scheduler from the config; it checks every destination (robot keys must be set).
func New(cfg Config, st Store, o Options) (*Scheduler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if o.Getenv == nil {
		o.Getenv = os.Getenv
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	s := &Scheduler{cfg: cfg, st: st, o: o, dests: map[string][]dest{}}
	s.qFrom, s.qTo, _ = cfg.QuietHours.minutes()
	s.quiet = cfg.QuietHours.From != "" && s.qFrom != s.qTo
	for _, cm := range cfg.Committees {
		for _, d := range cm.Destinations {
			dd, err := buildDest(d, &s.o)
			if err != nil {
				return nil, fmt.Errorf("schedules.committees「%s」：%w", cm.Name, err)
			}
			s.dests[cm.Name] = append(s.dests[cm.Name], dd)
		}
	}
	if err := s.addJobs(); err != nil {
		return nil, err
	}
	return s, nil
}

// Start runs the cron in the background and, at once, a pass that catches up on what was due
// while the bot was down. ctx bounds every run; Stop ends them.
func (s *Scheduler) Start(ctx context.Context) {
	l := cronLogger{s.o.Log}
	s.cron = cron.New(cron.WithLocation(period.Zone), cron.WithChain(cron.Recover(l), cron.SkipIfStillRunning(l)))
	for _, j := range s.jobs {
		s.cron.Schedule(j.sched, cron.FuncJob(func() { s.pass(ctx) }))
	}
	// Retries, quiet-hour ends and anything a cron wake-up missed are picked up each minute.
	s.cron.Schedule(cron.Every(time.Minute), cron.FuncJob(func() { s.pass(ctx) }))
	s.cron.Start()
	s.wg.Add(1)
	go func() { defer s.wg.Done(); s.pass(ctx) }()
}

// Stop stops the cron and waits for running passes, at most until ctx ends.
func (s *Scheduler) Stop(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		if s.cron != nil {
			<-s.cron.Stop().Done()
		}
		s.wg.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("stop scheduler: %w", ctx.Err())
	}
}

func (s *Scheduler) pass(ctx context.Context) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Minute)
	defer cancel()
	r, err := s.RunDue(ctx)
	if err != nil && ctx.Err() == nil {
		s.o.Log.Error("定时任务", "err", err)
	}
	if r != (Report{}) {
		s.o.Log.Info("定时任务", "sent", r.Sent, "failed", r.Failed, "skipped", r.Skipped, "missed", r.Missed, "waiting", r.Waiting)
	}
}

// RunDue sends everything due now: occurrences within the catch-up window not yet delivered,
// and failed deliveries whose back-off has passed. Nothing goes out in quiet hours. Passes run
// one at a time; tests call it with a fake clock.
func (s *Scheduler) RunDue(ctx context.Context) (Report, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rep Report
	now := s.o.Now().In(period.Zone)
	var errs []string
	for _, j := range s.jobs {
		for _, occ := range s.occurrences(j, now) {
			if err := s.runOccurrence(ctx, j, occ, now, &rep); err != nil {
				errs = append(errs, err.Error())
			}
		}
	}
	if len(errs) > 0 {
		return rep, fmt.Errorf("%s", strings.Join(errs, "；"))
	}
	return rep, nil
}

// occurrences lists j's scheduled times that may still need attention at now: those within
// the catch-up window (stretched by quiet hours), and a week before it to report as missed.
func (s *Scheduler) occurrences(j *job, now time.Time) []time.Time {
	var out []time.Time
	t := now.Add(-s.cfg.CatchUp - 24*time.Hour - 7*24*time.Hour)
	for {
		t = j.sched.Next(t)
		if t.IsZero() || t.After(now) {
			break
		}
		out = append(out, t)
		if len(out) > 64 {
			out = out[1:]
		}
	}
	return out
}

func (s *Scheduler) runOccurrence(ctx context.Context, j *job, occ, now time.Time, rep *Report) error {
	per := j.period(occ)
	run, _, ok, err := s.st.JobRunAt(ctx, j.name, per, allDone)
	if err != nil {
		return err
	}
	if ok && (run.Status == "done" || run.Status == "missed") {
		return nil
	}
	if now.After(s.release(occ).Add(s.cfg.CatchUp)) {
		rep.Missed++
		s.o.Log.Warn("定时任务错过了补发时限，不再发送", "job", j.name, "period", per, "due", occ.Format(time.DateTime))
		return s.st.RecordJobRun(ctx, storage.JobRun{Job: j.name, Period: per, Destination: allDone, Status: "missed",
			Err: fmt.Sprintf("应于 %s 发送，超过补发时限 %s", occ.Format("2006-01-02 15:04"), s.cfg.CatchUp)})
	}
	if s.inQuiet(now) {
		rep.Waiting++
		return nil
	}
	ds, err := j.deliveries(ctx, occ, per)
	if err != nil {
		rep.Failed++
		s.o.Log.Error("定时任务准备失败", "job", j.name, "period", per, "err", err)
		return s.st.RecordJobRun(ctx, storage.JobRun{Job: j.name, Period: per, Destination: allDone, Status: "failed", Err: err.Error()})
	}
	pending := false
	var gaveUp []string
	for _, d := range ds {
		done, err := s.deliver(ctx, j.name, per, d, now, rep)
		if err != nil {
			return err
		}
		switch done {
		case "pending":
			pending = true
		case "gave_up":
			gaveUp = append(gaveUp, d.dest)
		}
	}
	if pending {
		return nil
	}
	r := storage.JobRun{Job: j.name, Period: per, Destination: allDone, Status: "done"}
	if len(gaveUp) > 0 {
		r.Err = "多次重试仍失败：" + strings.Join(gaveUp, "，")
	}
	return s.st.RecordJobRun(ctx, r)
}

// deliver makes one attempt at d if it is due, and says where it stands: "done", "pending"
// (will be retried) or "gave_up".
func (s *Scheduler) deliver(ctx context.Context, job, per string, d delivery, now time.Time, rep *Report) (string, error) {
	run, at, ok, err := s.st.JobRunAt(ctx, job, per, d.dest)
	if err != nil {
		return "", err
	}
	switch {
	case ok && (run.Status == "sent" || run.Status == "skipped"):
		return "done", nil
	case ok && run.Attempts >= s.cfg.Retry.Attempts:
		return "gave_up", nil
	case ok && now.Before(at.Add(s.backoff(run.Attempts))):
		return "pending", nil
	}
	if d.skip != "" {
		rep.Skipped++
		s.o.Log.Info("定时任务跳过", "job", job, "period", per, "dest", d.dest, "why", d.skip)
		return "done", s.st.RecordJobRun(ctx, storage.JobRun{Job: job, Period: per, Destination: d.dest, Status: "skipped", Err: d.skip})
	}
	r := storage.JobRun{Job: job, Period: per, Destination: d.dest, Status: "running", Attempts: run.Attempts + 1}
	claimed, sendErr, err := s.attempt(ctx, r, d, rep)
	if sendErr != nil {
		s.o.Log.Warn("定时发送失败", "job", job, "period", per, "dest", d.dest, "attempt", r.Attempts, "err", sendErr)
	}
	switch {
	case err != nil:
		return "", err
	case !claimed:
		return "pending", nil
	case sendErr == nil:
		return "done", nil
	case r.Attempts >= s.cfg.Retry.Attempts:
		return "gave_up", nil
	}
	return "pending", nil
}

// attempt claims attempt r.Attempts of the delivery r names, sends d and records how that went,
// counting it in rep as sent or failed. claimed is false, and nothing is sent, when another
// process holds the delivery; sendErr is the send's failure (recorded with the run); err is the
// store's.
func (s *Scheduler) attempt(ctx context.Context, r storage.JobRun, d delivery, rep *Report) (claimed bool, sendErr, err error) {
	// Several processes (one per bot account) may share the store: only the one whose claim
	// wins sends; the others see the delivery as in hand.
	if claimed, err = s.st.ClaimJobRun(ctx, r); err != nil || !claimed {
		return false, nil, err
	}
	if sendErr = d.send(ctx, r.Job+"|"+r.Period+"|"+r.Destination); sendErr != nil {
		rep.Failed++
		r.Status, r.Err = "failed", sendErr.Error()
	} else {
		rep.Sent++
		r.Status = "sent"
	}
	return true, sendErr, s.st.RecordJobRun(ctx, r)
}

// backoff is the wait after the given number of failed attempts.
func (s *Scheduler) backoff(attempts int) time.Duration {
	d := s.cfg.Retry.Backoff << max(attempts-1, 0)
	if d > time.Hour || d <= 0 {
		d = time.Hour
	}
	return d
}

// inQuiet reports whether t falls in quiet hours.
func (s *Scheduler) inQuiet(t time.Time) bool {
	if !s.quiet {
		return false
	}
	t = t.In(period.Zone)
	m := t.Hour()*60 + t.Minute()
	if s.qFrom < s.qTo {
		return m >= s.qFrom && m < s.qTo
	}
	return m >= s.qFrom || m < s.qTo
}

// release is when an occurrence may first go out: at once, or when quiet hours end.
func (s *Scheduler) release(occ time.Time) time.Time {
	if !s.inQuiet(occ) {
		return occ
	}
	t := occ.In(period.Zone)
	end := time.Date(t.Year(), t.Month(), t.Day(), s.qTo/60, s.qTo%60, 0, 0, period.Zone)
	if !end.After(t) {
		end = end.AddDate(0, 0, 1)
	}
	return end
}

// cronLogger lets cron log through slog.
type cronLogger struct{ l *slog.Logger }

func (c cronLogger) Info(msg string, kv ...any) { c.l.Debug("cron: "+msg, kv...) }
func (c cronLogger) Error(err error, msg string, kv ...any) {
	c.l.Error("cron: "+msg, append(kv, "err", err)...)
}
