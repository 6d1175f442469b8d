package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"youthlink/digest"
	"youthlink/period"
	"youthlink/schedules"
	"youthlink/storage"
)

func cmdDigest(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("digest", "生成一个团委的周报并打印，或发送到配置的去处", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	committee := fs.String("committee", "", "团委名称（周报覆盖它及下级团委）")
	week := fs.String("week", "", "ISO 周，例如 2026-W48（默认上一个完整的周）")
	format := fs.String("format", "text", "输出格式："+strings.Join(digest.Formats, "、"))
	send := fs.Bool("send", false, "发送到配置文件 schedules.committees 里为该团委配置的去处（每个去处只发一次）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *committee == "" {
		fmt.Fprintln(stderr, "请用 -committee 指定团委，例如：youthlink digest -committee 示范市团委 -week 2026-W47")
		return errUsage
	}
	if !slices.Contains(digest.Formats, *format) {
		fmt.Fprintf(stderr, "-format 只能是 %s，收到「%s」\n", strings.Join(digest.Formats, "、"), *format)
		return errUsage
	}
	a, err := openToRead(ctx, *cfgPath, *dbPath, io.Discard)
	if err != nil {
		return err
	}
	defer a.close()
	sc, err := schedulesConfig(a)
	if err != nil {
		return err
	}
	span := schedules.DigestWeek(a.now())
	if *week != "" {
		if span, err = period.ParseWeek(*week); err != nil {
			return err
		}
	}
	note, err := digestWeekNote(span, a.now())
	if err != nil {
		return err
	}
	if note != "" {
		fmt.Fprintln(stderr, note)
	}
	if *send {
		s, err := newScheduler(a, sc)
		if err != nil {
			return err
		}
		rep, err := s.SendDigest(ctx, *committee, span)
		fmt.Fprintf(stdout, "%s %s 周报：发送 %d 处，此前已发送 %d 处，失败 %d 处（发往聊天群的消息已放入发送队列，由 youthlink run 发出）\n",
			*committee, span.Name, rep.Sent, rep.Skipped, rep.Failed)
		return err
	}
	d, err := digest.Build(ctx, a.db, a.cfg.Policy(), *committee, span, digest.Options{TopN: sc.Digest.TopN})
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("团委「%s」不存在（请检查配置文件的 committees）%s", *committee, noConfig(a.cfg))
	}
	if err != nil {
		return err
	}
	out, err := digest.Render(d, *format)
	if err != nil {
		return err
	}
	_, err = stdout.Write(out)
	return err
}

// digestWeekNote refuses a week that has not started and notes one that has not ended: its
// digest holds only the records so far.
func digestWeekNote(span period.Span, now time.Time) (string, error) {
	from, to := span.Days()
	switch {
	case now.Before(span.From):
		return "", fmt.Errorf("%s 还没有开始（%s 起），没有周报可生成；最近一个完整的周是 %s",
			span.Name, from, schedules.DigestWeek(now).Name)
	case now.Before(span.To):
		return fmt.Sprintf("注意：%s 还没有结束（到 %s），周报只含到现在为止的记录", span.Name, to), nil
	}
	return "", nil
}

// schedulesConfig decodes the `schedules` section over its defaults.
func schedulesConfig(a *app) (schedules.Config, error) {
	sc := schedules.DefaultConfig()
	if err := a.cfg.Decode("schedules", &a.cfg.Schedules, &sc); err != nil {
		return sc, err
	}
	return sc, nil
}

// newScheduler wires the scheduler to the app's store, policy, outbox and clock.
func newScheduler(a *app, sc schedules.Config) (*schedules.Scheduler, error) {
	return schedules.New(sc, a.db, schedules.Options{Policy: a.cfg.Policy(), Outbox: a.outbox, Now: a.now, Log: a.log})
}

// runScheduler checks the schedules section against the store and builds the scheduler `run`
// starts beside the engine; nil when the config disables it.
func runScheduler(ctx context.Context, a *app) (*schedules.Scheduler, error) {
	sc, err := schedulesConfig(a)
	if err != nil || !sc.Enabled {
		return nil, err
	}
	known, err := a.db.Committees(ctx)
	if err != nil {
		return nil, err
	}
	for _, cm := range sc.Committees {
		if !slices.ContainsFunc(known, func(c storage.Committee) bool { return c.Name == cm.Name }) {
			return nil, fmt.Errorf("配置文件 %s：schedules.committees：团委「%s」不在 committees 里", a.cfg.Path(), cm.Name)
		}
	}
	return newScheduler(a, sc)
}

// startScheduler starts s (nil: nothing to start); stop waits for it to finish.
func startScheduler(ctx context.Context, a *app, s *schedules.Scheduler) (stop func()) {
	if s == nil {
		return func() {}
	}
	s.Start(ctx)
	a.log.Info("定时任务已启动", "committees", len(s.Committees()))
	return func() {
		sctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Stop(sctx); err != nil {
			a.log.Warn("定时任务未能及时停止", "err", err)
		}
	}
}
