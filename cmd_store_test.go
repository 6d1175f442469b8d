package main

import (
	"bytes"
	"context"
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
			var out, errs bytes.Buffer
			code := run(context.Background(), append(tt.args, "-db", db), &out, &errs)
			if code != 1 || !strings.Contains(errs.String(), tt.want) || strings.Contains(errs.String(), "not found") {
				t.Errorf("exit %d, stderr %q; want 1 and %q in Chinese only", code, errs.String(), tt.want)
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
	var out, errs bytes.Buffer
	if code := run(context.Background(), []string{"bindcode", "-cadre", "王小明", "-db", demoDB(t)}, &out, &errs); code != 0 ||
		!strings.Contains(out.String(), "有效期 3 天，") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 有效期 3 天", code, out.String(), errs.String())
	}
}
