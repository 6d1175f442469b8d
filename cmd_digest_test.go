package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"youthlink/config"
	"youthlink/digest"
	"youthlink/period"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

// demoApp replays the demo week into a fresh database and opens it at the demo's clock.
func demoApp(t *testing.T) (*app, string) {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "demo.db")
	var out bytes.Buffer
	if err := runDemo(ctx, path, &out); err != nil {
		t.Fatalf("demo: %v", err)
	}
	cfg, err := config.Parse("demo", []byte(demoConfig))
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, appOptions{db: path, now: func() time.Time { return demoNow }})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.close() })
	return a, path
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (go test -update rewrites it):\n%s", name, got)
	}
}

func TestDigestGolden(t *testing.T) {
	a, path := demoApp(t)
	ctx := context.Background()
	week, err := period.ParseWeek("2026-W47")
	if err != nil {
		t.Fatal(err)
	}
	d, err := digest.Build(ctx, a.db, a.cfg.Policy(), "示范市团委", week, digest.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ext := map[string]string{"text": "txt", "markdown": "md", "html": "html", "json": "json"}
	for _, f := range digest.Formats {
		t.Run(f, func(t *testing.T) {
			b, err := digest.Render(d, f)
			if err != nil {
				t.Fatal(err)
			}
			golden(t, "digest-2026-W47."+ext[f], b)
		})
	}
	// The verb prints the same text.
	var out, errs bytes.Buffer
	if code := run(ctx, []string{"digest", "-db", path, "-committee", "示范市团委", "-week", "2026-W47"}, &out, &errs); code != 0 {
		t.Fatalf("digest verb exit %d: %s", code, errs.String())
	}
	want, _ := digest.Render(d, "text")
	if out.String() != string(want) {
		t.Errorf("digest verb printed:\n%s\nwant:\n%s", out.String(), want)
	}
	if code := run(ctx, []string{"digest", "-db", path, "-committee", "没有这个团委", "-week", "2026-W47"}, &out, &errs); code != 1 ||
		!strings.Contains(errs.String(), "不存在") {
		t.Errorf("unknown committee: exit %d, stderr %q", code, errs.String())
	}
}
