package main

import (
	"context"
	"fmt"
	"io"
)

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "运行性能基准", stderr)
	n := fs.Int("n", 100_000, "每种写入情形的消息条数")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *n < 1000 {
		fmt.Fprintln(stderr, "-n 至少为 1000")
		return errUsage
	}
	return benchIngest(ctx, stdout, *n)
}
