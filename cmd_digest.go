package main

import (
	"context"
	"io"
)

func cmdDigest(ctx context.Context, args []string, stdout, stderr io.Writer) error { return nil }
