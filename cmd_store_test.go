package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestUnknownNamesInChinese pins that a name not in the store is reported in plain Chinese by
// every verb that looks one up, without storage's English "not found".
func TestUnknownNamesInChinese(t *testing.T) {
	db := demoDB(t)
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"record", "-cadre", "张三"}, "团干部「张三」不在名单里"},
		{[]string{"bindcode", "-cadre", "张三"}, "团干部「张三」不在名单里"},
		{[]string{"digest", "-committee", "无此团委"}, "团委「无此团委」不存在"},
		{[]string{"export", "-committee", "无此团委", "-format", "csv", "-o", filepath.Join(t.TempDir(), "x.csv")}, "团委「无此团委」不存在"},
		{[]string{"web-user", "-committee", "无此团委", "-name", "chengqu"}, "团委「无此团委」不存在"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args[:3], " "), func(t *testing.T) {
			code, _, errs := runVerb(t, append(tt.args, "-db", db)...)
			if code != 1 || !strings.Contains(errs, tt.want) || strings.Contains(errs, "not found") {
				t.Errorf("exit %d, stderr %q; want 1 and %q in Chinese only", code, errs, tt.want)
			}
		})
	}
}

// TestBindcodeValidity pins that bindcode says how long the code is valid in Chinese.
func TestBindcodeValidity(t *testing.T) {
	tests := []struct {
		d    time.Duration
		want string
	}{
		{72 * time.Hour, "3 天"},
		{24 * time.Hour, "1 天"},
		{36 * time.Hour, "36 小时"},
		{90 * time.Minute, "90 分钟"},
		{time.Minute, "1 分钟"},
		{90 * time.Second, "90 秒"},
	}
	for _, tt := range tests {
		if got := inWords(tt.d); got != tt.want {
			t.Errorf("inWords(%v) = %q, want %q", tt.d, got, tt.want)
		}
	}
	code, out, errs := runVerb(t, "bindcode", "-cadre", "王小明", "-db", demoDB(t))
	if code != 0 ||
		!strings.Contains(out, "有效期 3 天，") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 有效期 3 天", code, out, errs)
	}
}

// TestReadVerbsRefuseMissingDB pins that a verb that only reads refuses a SQLite file that is not
// there, from -db or from the config's storage.path, and creates neither the file nor its folder.
func TestReadVerbsRefuseMissingDB(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "sub", "nonexist.db")
	cfgPath := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(cfgPath, []byte("storage:\n  path: "+missing+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	db := []string{"-db", missing}
	cfg := []string{"-config", cfgPath}
	tests := []struct {
		name string
		args []string
	}{
		{"stats", append([]string{"stats", "-group", "X", "-json"}, db...)},
		{"stats config", append([]string{"stats", "-group", "X", "-json"}, cfg...)},
		{"record", append([]string{"record", "-cadre", "王小明"}, db...)},
		{"export", append([]string{"export", "-format", "csv", "-o", filepath.Join(dir, "x.csv")}, db...)},
		{"digest", append([]string{"digest", "-committee", "示范市团委"}, db...)},
		{"digest send", append([]string{"digest", "-committee", "示范市团委", "-send"}, db...)},
		{"digest config", append([]string{"digest", "-committee", "示范市团委"}, cfg...)},
		{"web", append([]string{"web", "-addr", "127.0.0.1:0"}, db...)},
		{"roster export", append([]string{"roster", "export", "-o", filepath.Join(dir, "r.xlsx")}, db...)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errs := runVerb(t, tt.args...)
			if want := "数据库文件「" + missing + "」不存在（检查 -db 或配置的 storage.path）"; code != 1 || !strings.Contains(errs, want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errs, want)
			}
			if _, err := os.Stat(filepath.Dir(missing)); !os.IsNotExist(err) {
				t.Errorf("%s was created", filepath.Dir(missing))
			}
		})
	}
}
