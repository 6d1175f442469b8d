package handlers

import (
	"strings"
	"testing"
	"time"
)

// TestIntroOnFirstContact: a group gets the introduction with its privacy notice once, on first
// contact, whether the first message is a command or chat, and the message is handled as well.
func TestIntroOnFirstContact(t *testing.T) {
	cases := []struct {
		from, text string // the group's first message; CODE stands for a fresh bind code
		reply      string // in the answer to it
	}{
		{"y1", "/帮助", "可用命令"},
		{"王小明", "/登记本群", "登记成功"},
		{"c2", "/绑定 CODE", "绑定成功"},
		{"y1", "/问", "请把问题写在后面"},
		{"y1", "大家好", ""},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			b := newBare(t, testNow, Options{Intro: true})
			code, err := b.db.NewBindCode(b.ctx, "王小明", time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			b.send("g1", tc.from, strings.ReplaceAll(tc.text, "CODE", code), false, "")
			b.send("g1", "y2", "/帮助", false, "")
			sent := b.out.Sent()
			if len(sent) == 0 || !strings.Contains(sent[0].Text, "隐私说明") {
				t.Fatalf("first message sent %+v, want the introduction", sent)
			}
			intros := 0
			for _, m := range sent {
				if strings.Contains(m.Text, "隐私说明") {
					intros++
				}
			}
			if intros != 1 {
				t.Fatalf("%d introductions, want 1", intros)
			}
			if tc.reply != "" && (len(sent) < 2 || !strings.Contains(sent[1].Text, tc.reply)) {
				t.Fatalf("reply to %s: %+v, want %q", tc.text, sent[1:], tc.reply)
			}
		})
	}
}
