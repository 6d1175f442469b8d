package main

import (
	"context"
	"fmt"
	"io"
)

func cmdRun(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("run", "启动机器人", stderr)
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
		return fmt.Errorf("配置里没有启用任何平台（platforms.wechat.enabled 或 platforms.onebot.enabled），想先试试可以运行 youthlink console")
	}
	dash, err := webRunner(ctx, a, stdout)
	if err != nil {
		return err
	}
	if dash != nil {
		runners = append(runners, dash)
	}
	stop := a.start(ctx)
	defer stop()
	stopSchedules, err := startScheduler(ctx, a)
	if err != nil {
		return err
	}
	defer stopSchedules()
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
