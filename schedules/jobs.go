package schedules

import (
	"context"
	"errors"
	"fmt"
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

// DigestJob is the job name of a committee's weekly digest in job_runs; its period is the week.
func DigestJob(committee string) string { return "digest:" + committee }

// DigestWeek is the week a digest sent at occ covers: the last full week before it.
func DigestWeek(occ time.Time) period.Span {
	return period.WeekOf(period.WeekOf(occ).From.AddDate(0, 0, -1))
}

// quarterly is a cron.Schedule firing once a quarter at the time at computes for it.
type quarterly struct{ at func(q period.Span) time.Time }

func (s quarterly) Next(t time.Time) time.Time {
	from := period.QuarterOf(t).From.AddDate(0, -3, 0)
	for i := 0; i < 4; i++ {
		if x := s.at(period.QuarterOf(from.AddDate(0, 3*i, 0))); x.After(t) {
			return x
		}
	}
	return time.Time{}
}

func (s *Scheduler) addJobs() error {
	spec, err := cron.ParseStandard(s.cfg.Digest.Cron)
	if err != nil {
		return fmt.Errorf("digest.cron: %w", err)
	}
	for _, cm := range s.cfg.Committees {
		if cm.Digest != nil && !*cm.Digest || len(s.dests[cm.Name]) == 0 {
			continue
		}
		name := cm.Name
		s.jobs = append(s.jobs, &job{
			name: DigestJob(name), sched: spec,
			period: func(occ time.Time) string { return DigestWeek(occ).Name },
			deliveries: func(ctx context.Context, occ time.Time, _ string) ([]delivery, error) {
				content := s.once(func(ctx context.Context) (Content, error) { return s.DigestContent(ctx, name, DigestWeek(occ)) })
				return s.committeeDeliveries(name, content), nil
			},
		})
	}
	rm := s.cfg.Reminders
	if !rm.Enabled {
		return nil
	}
	at, _ := clock(rm.At)
	day := func(t time.Time) time.Time { return t.Add(time.Duration(at) * time.Minute) }
	quarter := func(occ time.Time) string { return period.Quarter(occ) }
	if rm.Plan {
		s.jobs = append(s.jobs, &job{name: "reminder:plan", period: quarter,
			sched:      quarterly{func(q period.Span) time.Time { return day(q.From) }},
			deliveries: s.cadreReminders(planText, func(*record.Record) bool { return true })})
	}
	if rm.Progress {
		s.jobs = append(s.jobs, &job{name: "reminder:progress", period: quarter,
			sched:      quarterly{func(q period.Span) time.Time { return day(mid(q)) }},
			deliveries: s.cadreReminders(progressText, func(*record.Record) bool { return true })})
	}
	if n := rm.DaysBeforeEnd; n > 0 {
		s.jobs = append(s.jobs, &job{name: "reminder:behind", period: quarter,
			sched:      quarterly{func(q period.Span) time.Time { return day(q.To.AddDate(0, 0, -n)) }},
			deliveries: s.cadreReminders(behindText, behind)})
	}
	if rm.EndReport {
		for _, cm := range s.cfg.Committees {
			if cm.EndReport != nil && !*cm.EndReport || len(s.dests[cm.Name]) == 0 {
				continue
			}
			name := cm.Name
			s.jobs = append(s.jobs, &job{name: "report:" + name,
				// the morning after the quarter ends, about the quarter that ended
				sched:  quarterly{func(q period.Span) time.Time { return day(q.To) }},
				period: func(occ time.Time) string { return period.Quarter(occ.AddDate(0, 0, -1)) },
				deliveries: func(ctx context.Context, occ time.Time, _ string) ([]delivery, error) {
					q := period.QuarterOf(occ.AddDate(0, 0, -1))
					content := s.once(func(ctx context.Context) (Content, error) { return s.reportContent(ctx, name, q) })
					return s.committeeDeliveries(name, content), nil
				},
			})
		}
	}
	return nil
}

// mid is the middle day of a quarter.
func mid(q period.Span) time.Time {
	days := int(q.To.Sub(q.From).Hours()/24+0.5) / 2
	return q.From.AddDate(0, 0, days)
}

// once memoizes a content builder for one occurrence.
func (s *Scheduler) once(f func(ctx context.Context) (Content, error)) func(ctx context.Context) (Content, error) {
	var mu sync.Mutex
	var c Content
	var done bool
	return func(ctx context.Context) (Content, error) {
		mu.Lock()
		defer mu.Unlock()
		if done {
			return c, nil
		}
		var err error
		if c, err = f(ctx); err != nil {
			return c, err
		}
		done = true
		return c, nil
	}
}

func (s *Scheduler) committeeDeliveries(committee string, content func(context.Context) (Content, error)) []delivery {
	var out []delivery
	for _, d := range s.dests[committee] {
		out = append(out, delivery{dest: d.key(), send: func(ctx context.Context, ref string) error {
			c, err := content(ctx)
			if err != nil {
				return err
			}
			return d.deliver(ctx, ref, c)
		}})
	}
	return out
}

// DigestContent builds and renders a committee's digest of week.
func (s *Scheduler) DigestContent(ctx context.Context, committee string, week period.Span) (Content, error) {
	o := digest.Options{TopN: s.cfg.Digest.TopN}
	if s.cfg.Digest.Overview {
		o.Overview = s.o.Overview
	}
	d, err := digest.Build(ctx, s.st, s.o.Policy, committee, week, o)
	if err != nil {
		return Content{}, err
	}
	c := Content{Title: digest.Title(d), Name: committee + "-" + week.Name, Text: digest.Text(d), Markdown: digest.Markdown(d)}
	if c.HTML, err = digest.HTML(d); err != nil {
		return c, err
	}
	if c.JSON, err = digest.JSON(d); err != nil {
		return c, err
	}
	return c, nil
}

// SendDigest delivers a committee's digest of week to its destinations now (the `digest -send`
// verb), recording each delivery like the scheduler does: a destination that already has it is
// skipped, so the scheduler will not send it again either. Quiet hours do not apply.
func (s *Scheduler) SendDigest(ctx context.Context, committee string, week period.Span) (Report, error) {
	var rep Report
	ds := s.dests[committee]
	if len(ds) == 0 {
		return rep, fmt.Errorf("schedules.committees 里没有给「%s」配置去处（destinations）", committee)
	}
	job := DigestJob(committee)
	content := s.once(func(ctx context.Context) (Content, error) { return s.DigestContent(ctx, committee, week) })
	var errs []error
	for _, d := range s.committeeDeliveries(committee, content) {
		run, _, ok, err := s.st.JobRunAt(ctx, job, week.Name, d.dest)
		if err != nil {
			return rep, err
		}
		if ok && run.Status == "sent" {
			rep.Skipped++
			continue
		}
		r := storage.JobRun{Job: job, Period: week.Name, Destination: d.dest, Status: "running", Attempts: run.Attempts + 1}
		claimed, sendErr, err := s.attempt(ctx, r, d, &rep)
		if sendErr != nil {
			errs = append(errs, fmt.Errorf("%s：%w", d.dest, sendErr))
		}
		if err != nil {
			return rep, err
		}
		if !claimed { // another process is sending it right now
			rep.Skipped++
		}
	}
	return rep, errors.Join(errs...)
}

// Committees lists the committees that have destinations configured.
func (s *Scheduler) Committees() []string {
	var out []string
	for _, cm := range s.cfg.Committees {
		if len(s.dests[cm.Name]) > 0 {
			out = append(out, cm.Name)
		}
	}
	return out
}

// cadreReminders builds the deliveries of a reminder to each cadre that want selects: to their
// bound chat account, privately, through the outbox.
func (s *Scheduler) cadreReminders(text func(r *record.Record, left int) string, want func(*record.Record) bool) func(context.Context, time.Time, string) ([]delivery, error) {
	return func(ctx context.Context, occ time.Time, _ string) ([]delivery, error) {
		q := period.QuarterOf(occ)
		book, err := record.Compile(ctx, s.st, s.o.Policy, q, occ)
		if err != nil {
			return nil, err
		}
		left := q.DaysLeft(occ)
		var out []delivery
		for _, r := range book.Records {
			if !want(r) {
				continue
			}
			d := delivery{dest: "cadre:" + r.Cadre.Name}
			u, p, found, err := s.contact(ctx, r.Cadre.ID)
			if err != nil {
				return nil, err
			}
			if !found {
				d.skip = "未绑定聊天账号（用 youthlink bindcode 生成绑定码后发送 /绑定）"
				out = append(out, d)
				continue
			}
			msg := text(r, left)
			chat := bot.Chat{Platform: p, Kind: bot.Private, ID: u.ID}
			d.send = func(ctx context.Context, ref string) error {
				if s.o.Outbox == nil {
					return errors.New("没有可用的聊天平台发送提醒")
				}
				return enqueueText(ctx, s.o.Outbox, chat, ref, msg, 0)
			}
			out = append(out, d)
		}
		return out, nil
	}
}

func (s *Scheduler) contact(ctx context.Context, cadre int64) (bot.User, bot.Platform, bool, error) {
	for _, p := range s.cfg.Reminders.Platforms {
		u, ok, err := s.st.CadreContact(ctx, cadre, bot.Platform(p))
		if err != nil || ok {
			return u, bot.Platform(p), ok, err
		}
	}
	return bot.User{}, "", false, nil
}

// behind reports whether any plan item of r is not yet done.
func behind(r *record.Record) bool {
	for _, p := range r.Plan {
		if !p.OK() {
			return true
		}
	}
	return false
}

func itemGoal(it record.PlanItem) string {
	if it.Counts == record.CountCoverage {
		return fmt.Sprintf("覆盖率达到 %d%%", it.Min)
	}
	return fmt.Sprintf("%s至少 %d", record.Counts[it.Counts], it.Min)
}

func planText(r *record.Record, _ int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【季度“五个一”】%s，%s（%s 至 %s）的工作计划：\n", r.Cadre.Name, r.Span.Name,
		period.Day(r.Span.From), period.Day(r.Span.To.Add(-time.Second)))
	for i, p := range r.Plan {
		fmt.Fprintf(&b, "%d. %s（%s）\n", i+1, p.Name(), itemGoal(p.Item))
	}
	b.WriteString("登记线下工作请发送 /活动 或 /见面，随时发送 /台账 查看进度。")
	return b.String()
}

func progressText(r *record.Record, left int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【季度进度】%s，%s 已过半（还剩 %d 天），你的进度：\n", r.Cadre.Name, r.Span.Name, left)
	for _, p := range r.Plan {
		b.WriteString("  " + p.String() + "\n")
	}
	fmt.Fprintf(&b, "直接联系青年 %d / 目标 %d 人，覆盖率 %d%%。发送 /台账 查看详情。", r.Facts.Reached, r.Cadre.Target, r.Coverage)
	return b.String()
}

func behindText(r *record.Record, left int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "【进度提醒】%s，%s 还剩 %d 天，以下事项还没有完成：\n", r.Cadre.Name, r.Span.Name, left)
	for _, p := range r.Plan {
		if !p.OK() {
			fmt.Fprintf(&b, "  · %s：完成 %s\n", p.Name(), p.Count())
		}
	}
	b.WriteString("登记线下工作请发送 /活动 或 /见面，发送 /台账 查看进度。")
	return b.String()
}

// reportContent lists, for a committee's subtree, the cadres still behind at the end of q.
func (s *Scheduler) reportContent(ctx context.Context, committee string, q period.Span) (Content, error) {
	book, err := record.Compile(ctx, s.st, s.o.Policy, q, q.To)
	if err != nil {
		return Content{}, err
	}
	var root int64
	for _, c := range book.Committees {
		if c.Name == committee {
			root = c.ID
		}
	}
	if root == 0 {
		return Content{}, fmt.Errorf("团委「%s」不存在", committee)
	}
	all := book.In(root)
	var b strings.Builder
	n := 0
	for _, r := range all {
		if !behind(r) {
			continue
		}
		n++
		var items []string
		for _, p := range r.Plan {
			if !p.OK() {
				items = append(items, p.Name()+" "+p.Count())
			}
		}
		fmt.Fprintf(&b, "· %s（%s）：%s\n", r.Cadre.Name, r.Committee, strings.Join(items, "；"))
	}
	if n == 0 {
		fmt.Fprintf(&b, "全部 %d 名团干部完成了季度“五个一”。", len(all))
	} else {
		fmt.Fprintf(&b, "共 %d 人未完成全部事项（共 %d 人）。", n, len(all))
	}
	title := fmt.Sprintf("%s %s 季度“五个一”未完成名单", committee, q.Name)
	return textContent(title, committee+"-"+q.Name+"-未完成名单", b.String()), nil
}
