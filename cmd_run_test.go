package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"youthlink/storage"
)

// runBase is a config `run` accepts up to the point of serving: one committee, a QQ connection
// (nothing listens before the runners start) and the dashboard on.
const runBase = `committees:
  - {name: 示范市团委}
platforms:
  wechat: {enabled: false}
  onebot:
    connections:
      - {name: qq1, mode: reverse-ws, listen: "127.0.0.1:0"}
web:
  enabled: true
  addr: "127.0.0.1:0"
`

// TestRunBadScheduleCreatesNoAccount pins that `run` checks the whole config before the
// dashboard creates its first account: a bad schedules key fails with its name, prints no
// password and leaves no account behind (so the password is shown once the config is fixed).
func TestRunBadScheduleCreatesNoAccount(t *testing.T) {
	t.Setenv("YOUTHLINK_WEB_PASSWORD", "")
	tests := []struct{ name, schedules, want string }{
		{"cron", "  digest: {cron: \"0 25 * * 1\"}\n", "digest.cron"},
		{"quiet hours", "  quiet_hours: {from: \"25:00\", to: \"08:00\"}\n", "quiet_hours"},
		{"destination", "  committees:\n    - {name: 示范市团委, destinations: [{type: pigeon}]}\n", "destinations[0]"},
		{"committee", "  committees:\n    - {name: 无此团委}\n", "无此团委"},
		{"reminders platform", "  reminders: {platforms: [icq]}\n", "reminders.platforms"},
		{"robot key unset", "  committees:\n    - {name: 示范市团委, destinations: [{type: wecom, key_env: YOUTHLINK_TEST_UNSET_KEY}]}\n", "YOUTHLINK_TEST_UNSET_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			cfgPath, dbPath := filepath.Join(dir, "bad.yaml"), filepath.Join(dir, "r.db")
			if err := os.WriteFile(cfgPath, []byte(runBase+"schedules:\n"+tt.schedules), 0o644); err != nil {
				t.Fatal(err)
			}
			code, out, errs := runVerb(t, "run", "-config", cfgPath, "-db", dbPath)
			if code != 1 || !strings.Contains(errs, tt.want) {
				t.Fatalf("exit %d, stderr %q; want 1 and %q", code, errs, tt.want)
			}
			if strings.Contains(out, "密码") {
				t.Errorf("a failed start printed a password:\n%s", out)
			}
			db, err := storage.Open(context.Background(), dbPath)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if users, err := db.WebUsers(context.Background()); err != nil || len(users) != 0 {
				t.Errorf("a failed start left dashboard accounts %v (err %v)", users, err)
			}
		})
	}
}

// TestRunNoPlatformNamesRealKeys pins that `run` without a platform names keys that exist in
// config.yaml (there is no platforms.onebot.enabled: QQ is on when it has a connection).
func TestRunNoPlatformNamesRealKeys(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "none.yaml")
	if err := os.WriteFile(cfgPath, []byte("platforms:\n  wechat: {enabled: false}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runVerb(t, "run", "-config", cfgPath, "-db", filepath.Join(dir, "r.db"))
	if code != 1 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	for _, key := range []string{"platforms.wechat.enabled", "platforms.onebot.connections"} {
		if !strings.Contains(errs, key) {
			t.Errorf("stderr %q does not name %s", errs, key)
		}
	}
	if strings.Contains(errs, "onebot.enabled") {
		t.Errorf("stderr %q names platforms.onebot.enabled, which config.yaml does not have", errs)
	}
}

// TestNoConfigFileSaysSo pins that without -config and without config.yaml in the current
// directory, errors a missing config entry explains say which file was looked for, and that
// they say nothing of it when a config file was given.
func TestNoConfigFileSaysSo(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cfgPath := filepath.Join(dir, "given.yaml")
	if err := os.WriteFile(cfgPath, []byte("platforms:\n  wechat: {enabled: false}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	note := "没有找到配置文件 " + filepath.Join(dir, "config.yaml") + "，用的是默认配置"
	for _, args := range [][]string{
		{"run"},
		{"bindcode", "-cadre", "王小明"},
		{"record", "-cadre", "王小明"},
		{"digest", "-committee", "示范市团委"},
	} {
		for _, given := range []bool{false, true} {
			a := append(append([]string{}, args...), "-db", filepath.Join(dir, "r.db"))
			if given {
				a = append(a, "-config", cfgPath)
			}
			code, _, errs := runVerb(t, a...)
			if code != 1 || strings.Contains(errs, note) == given {
				t.Errorf("%v: exit %d, stderr %q; want 1, note of the missing config.yaml: %v", a, code, errs, !given)
			}
		}
	}
}
