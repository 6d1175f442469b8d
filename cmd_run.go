package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "启动机器人", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		return err
	}
	a, err := openApp(ctx, cfg, appOptions{db: *dbPath, log: stderr, analyze: analyzer(cfg)})
	if err != nil {
		return err
	}
	defer a.close()
	runners, err := platforms(ctx, a, stdout)
	if err != nil {
		return err
	}
	if len(runners) == 0 {
		return fmt.Errorf("配置里没有启用任何平台（把 platforms.wechat.enabled 设为 true，或在 platforms.onebot.connections 下写一个连接），想先试试可以运行 youthlink console%s", noConfig(cfg))
	}
	sched, err := runScheduler(ctx, a)
	if err != nil {
		return err
	}
	// The dashboard comes last: it may create the first account and print its password once,
	// so every check of the config must have passed before.
	dash, err := webRunner(ctx, a, stdout)
	if err != nil {
		return err
	}
	if dash != nil {
		runners = append(runners, dash)
	}
	stop := a.start(ctx)
	defer stop()
	stopSchedules := startScheduler(ctx, a, sched)
	defer stopSchedules()
	go retention(ctx, a)
	errs := make(chan error, len(runners))
	for _, r := range runners {
		go func() { errs <- r(ctx) }()
	}
	a.log.Info("youthlink 已启动", "runners", len(runners), "db", a.db.Path())
	var first error
	for range runners {
		if err := <-errs; err != nil && first == nil && ctx.Err() == nil {
			first = err
		}
	}
	return first
}

// retention deletes message text older than privacy.retention_days at start and then daily.
func retention(ctx context.Context, a *app) {
	days := a.cfg.Privacy.RetentionDays
	if days <= 0 {
		return
	}
	for {
		n, err := a.db.PurgeText(ctx, a.now().AddDate(0, 0, -days))
		if err != nil {
			a.log.Error("删除过期消息正文失败", "err", err)
		} else if n > 0 {
			a.log.Info("已删除过期消息正文（统计保留）", "条数", n, "保留天数", days)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(24 * time.Hour):
		}
	}
}
