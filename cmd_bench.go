package main

import (
	"context"
	"io"
)

func cmdBench(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bench", "运行性能基准", stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	if err := benchIngest(ctx, stdout); err != nil {
		return err
	}
	return benchBackends(ctx, stdout)
}
