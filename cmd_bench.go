package main

import (
	"context"
	"fmt"
	"io"
	"time"
)

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "运行性能基准", stdout, stderr)
	o := benchOptions{}
	fs.IntVar(&o.n, "n", 100_000, "每种写入情形的消息条数")
	fs.IntVar(&o.runs, "runs", 3, "每项测量的轮数（报告中位数）")
	fs.IntVar(&o.rate, "rate", 1000, "延迟测量的稳定速率（条/秒）")
	fs.DurationVar(&o.duration, "duration", 10*time.Second, "延迟测量的时长")
	fs.StringVar(&o.province, "province", "", "全省规模合成数据库文件（不存在时先生成，约需十分钟）；不填则生成十分之一规模的临时数据")
	if err := parse(fs, args); err != nil {
		return err
	}
	switch {
	case o.n < 1000:
		fmt.Fprintln(stderr, "-n 至少为 1000")
		return errUsage
	case o.runs < 1:
		fmt.Fprintln(stderr, "-runs 至少为 1")
		return errUsage
	case o.rate < 1 || o.rate > 20_000:
		fmt.Fprintln(stderr, "-rate 须在 1 到 20000 之间")
		return errUsage
	case o.duration < time.Second:
		fmt.Fprintln(stderr, "-duration 至少 1 秒，例如 -duration 10s")
		return errUsage
	}
	return benchSuite(ctx, stdout, o)
}
