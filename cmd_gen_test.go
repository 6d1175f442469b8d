package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"youthlink/config"
	"youthlink/period"
	"youthlink/record"
	"youthlink/schedules"
	"youthlink/storage"
)

// TestGenIsDeterministic generates a tiny province twice: the records come out the same, and
// a digest of its last week builds.
func TestGenIsDeterministic(t *testing.T) {
	ctx := context.Background()
	texts := make([]string, 2)
	for i := range texts {
		db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "g.db"))
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if err := genProvince(ctx, db, genOptions{Cadres: 6, Youths: 120, Messages: 3000}, io.Discard); err != nil {
			t.Fatal(err)
		}
		at := genEnd.Add(-1)
		book, err := record.Compile(ctx, db, config.Default().Policy(), period.QuarterOf(at), at)
		if err != nil {
			t.Fatal(err)
		}
		if len(book.Records) != 6 || book.Records[0].Facts.Reached == 0 {
			t.Fatalf("records %d, best reached %d", len(book.Records), book.Records[0].Facts.Reached)
		}
		for _, r := range book.Records {
			texts[i] += record.Text(r) + "\n"
		}
		if _, err := schedulesBuild(ctx, db); err != nil {
			t.Fatal(err)
		}
	}
	if texts[0] != texts[1] {
		t.Errorf("two generations differ:\n%s\n---\n%s", texts[0], texts[1])
	}
}

func schedulesBuild(ctx context.Context, db *storage.DB) (string, error) {
	s, err := schedules.New(schedules.DefaultConfig(), db, schedules.Options{Policy: config.Default().Policy()})
	if err != nil {
		return "", err
	}
	c, err := s.DigestContent(ctx, genProvinceRoot, schedules.DigestWeek(genEnd))
	return c.Text, err
}

func TestGenVerbRefusesExistingFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	os.WriteFile(path, []byte("x"), 0o600)
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"gen", "-db", path, "-messages", "10"}, &out, &errs); code != 1 || !strings.Contains(errs.String(), "已存在") {
		t.Errorf("exit %d, stderr %q", code, errs.String())
	}
}

// TestDigestSendVerb sends the demo week's digest to a directory twice: the second run finds
// it sent and sends nothing.
func TestDigestSendVerb(t *testing.T) {
	_, dbPath := demoApp(t)
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	cfg := "schedules:\n  committees:\n    - name: 示范市团委\n      destinations:\n        - {type: dir, path: " + filepath.Join(dir, "out") + ", format: json}\n"
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"digest", "-config", cfgPath, "-db", dbPath, "-committee", "示范市团委", "-week", "2026-W47", "-send"}
	for i, want := range []string{"发送 1 处，此前已发送 0 处", "发送 0 处，此前已发送 1 处"} {
		var out, errs bytes.Buffer
		if code := run(context.Background(), args, &out, &errs); code != 0 || !strings.Contains(out.String(), want) {
			t.Fatalf("run %d: exit %d, stdout %q, stderr %q", i+1, code, out.String(), errs.String())
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "out", "示范市团委-2026-W47.json"))
	if err != nil || !bytes.Contains(b, []byte(`"week": "2026-W47"`)) {
		t.Errorf("file: %v %s", err, b)
	}
	var out, errs bytes.Buffer
	bad := strings.Replace(cfg, "type: dir", "type: email", 1)
	os.WriteFile(cfgPath, []byte(bad), 0o600)
	if code := run(context.Background(), args, &out, &errs); code != 1 || !strings.Contains(errs.String(), "schedules") {
		t.Errorf("bad config: exit %d, stderr %q", code, errs.String())
	}
}
