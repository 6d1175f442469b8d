package notify

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"
)

func TestSafeName(t *testing.T) {
	tests := []struct{ in, want string }{
		{"团委周报 2026-W48", "团委周报_2026-W48"},
		{"../../etc/passwd", "etc_passwd"},
		{"a/b\\c:d*e?f\"g<h>i|j", "a_b_c_d_e_f_g_h_i_j"},
		{"\x00\x1f控制", "控制"},
		{"...", ""},
		{strings.Repeat("长", 100), strings.Repeat("长", 40)},
	}
	for _, tt := range tests {
		if got := SafeName(tt.in); got != tt.want {
			t.Fatalf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestDirWritesOneFilePerMessage(t *testing.T) {
	root := filepath.Join(t.TempDir(), "digests")
	d := NewDir(root)
	d.Now = func() time.Time { return time.Date(2026, 11, 23, 9, 0, 0, 0, time.UTC) }
	msgs := []Message{
		{Title: "周报/第48周", Markdown: "**12** 人"},
		{Title: "周报/第48周", Markdown: "同名第二份"},
		{Title: "", Text: "纯文本"},
	}
	for _, m := range msgs {
		if err := d.Send(context.Background(), m); err != nil {
			t.Fatal(err)
		}
	}
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	want := []string{"20261123-090000-周报_第48周-2.md", "20261123-090000-周报_第48周.md", "20261123-090000.txt"}
	if got, want := strings.Join(names, ","), strings.Join(want, ","); got != want {
		t.Fatalf("files %s, want %s", got, want)
	}
	b, err := os.ReadFile(filepath.Join(root, "20261123-090000-周报_第48周.md"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "# 周报/第48周\n\n**12** 人"; got != want {
		t.Fatalf("content %q, want %q", got, want)
	}
	b, _ = os.ReadFile(filepath.Join(root, "20261123-090000-周报_第48周-2.md"))
	if !strings.Contains(string(b), "同名第二份") {
		t.Fatalf("second file holds %q", b)
	}
}

func TestDirCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	root := filepath.Join(t.TempDir(), "x")
	if err := NewDir(root).Send(ctx, Message{Text: "x"}); err == nil {
		t.Fatal("no error with a cancelled context")
	}
	if _, err := os.Stat(root); !os.IsNotExist(err) {
		t.Fatalf("directory created despite cancel: %v", err)
	}
}
