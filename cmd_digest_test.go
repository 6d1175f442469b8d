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

// TestDigestWeekNote pins that a digest for a week that has not started is refused and one for
// the current week says the week is not over.
func TestDigestWeekNote(t *testing.T) {
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, period.Zone) // a Friday in 2026-W48
	tests := []struct {
		week, note, err string
	}{
		{"2026-W47", "", ""},
		{"2026-W48", "注意：2026-W48 还没有结束（到 2026-11-29），周报只含到现在为止的记录", ""},
		{"2026-W49", "", "2026-W49 还没有开始（2026-11-30 起），没有周报可生成；最近一个完整的周是 2026-W47"},
		{"2030-W01", "", "2030-W01 还没有开始"},
	}
	for _, tt := range tests {
		span, err := period.ParseWeek(tt.week)
		if err != nil {
			t.Fatal(err)
		}
		note, err := digestWeekNote(span, now)
		if note != tt.note || tt.err == "" && err != nil || tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err)) {
			t.Errorf("%s: note %q, err %v; want %q, %q", tt.week, note, err, tt.note, tt.err)
		}
	}
	// The verb refuses a future week before building or sending anything.
	path := demoDB(t)
	for _, args := range [][]string{{"-week", "2090-W01"}, {"-week", "2090-W01", "-send"}} {
		code, out, errs := runVerb(t, append([]string{"digest", "-db", path, "-committee", "示范市团委"}, args...)...)
		if code != 1 || !strings.Contains(errs, "2090-W01 还没有开始") || out != "" {
			t.Errorf("digest %v: exit %d, stdout %q, stderr %q; want 1 and 还没有开始", args, code, out, errs)
		}
	}
	// The current week is built, with the note on stderr (stdout stays the digest alone).
	cur := period.WeekOf(time.Now()).Name
	code, out, errs := runVerb(t, "digest", "-db", path, "-committee", "示范市团委", "-week", cur, "-format", "json")
	if now := period.WeekOf(time.Now()).Name; now != cur { // the week turned meanwhile: once more
		cur = now
		code, out, errs = runVerb(t, "digest", "-db", path, "-committee", "示范市团委", "-week", cur, "-format", "json")
	}
	if code != 0 || !strings.Contains(errs, "注意："+cur+" 还没有结束") || strings.Contains(out, "注意") {
		t.Errorf("digest -week %s: exit %d, stdout %q, stderr %q; want 0 and the note on stderr", cur, code, out, errs)
	}
}
