package importer

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"youthlink/bot"
)

func parseQQFile(t *testing.T, name string) *Result {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ParseQQText(f, "计算机学院青年之家")
	if err != nil {
		t.Fatalf("ParseQQText: %v", err)
	}
	return res
}

func names(us []bot.User) string {
	var s []string
	for _, u := range us {
		s = append(s, u.ID+":"+u.Name)
	}
	return strings.Join(s, ",")
}

func TestParseQQTextEvents(t *testing.T) {
	res := parseQQFile(t, "testdata/qq_group.txt")
	at := func(h, m, s int) time.Time { return time.Date(2024, 3, 1, h, m, s, 0, shanghai) }
	want := []struct {
		sender   string // id:name
		kind     bot.Kind
		notice   bot.Notice
		text     string
		time     time.Time
		mentions string
	}{
		{"10001:王老师", bot.Text, "", "同学们好，本周五开团日活动。\n请大家按时参加！", at(9, 5, 2), ""},
		{"20002:明明", bot.Text, "", "@王老师 收到，我会准时到。", at(9, 6, 10), "10001:王老师"},
		{"lily@example.com:Lily [外联部]", bot.Image, "", "[图片]", at(10, 0, 0), ""},
		{"30003:小红", bot.System, bot.NoticeJoin, "小红加入本群", at(10, 1, 0), ""},
		{"30003:小红", bot.Sticker, "", "[表情]", at(10, 2, 0), ""},
		{"20002:明明", bot.Text, "", "@小红 欢迎！@不存在的人 你好", at(10, 3, 0), "30003:小红"},
		{"20002:明明", bot.Text, "", "@小红 欢迎！@不存在的人 你好", at(10, 3, 0), "30003:小红"},
		{"10000:系统消息", bot.System, "", "王老师撤回了一条消息", at(10, 5, 0), ""},
		{"30003:小红", bot.System, bot.NoticeLeave, "小红(30003) 退出了本群", at(10, 6, 0), ""},
		{"10001:王老师", bot.Text, "", "第一段\n\n第二段[图片]", at(23, 59, 59), ""},
	}
	if got, want := len(res.Events), len(want); got != want {
		for _, e := range res.Events {
			t.Logf("%s %q", e.Sender.ID, e.Text)
		}
		t.Fatalf("%d events, want %d", got, want)
	}
	for i, w := range want {
		e := res.Events[i]
		if got := e.Sender.ID + ":" + e.Sender.Name; got != w.sender {
			t.Errorf("event %d sender %q, want %q", i, got, w.sender)
		}
		if e.Kind != w.kind || e.Notice != w.notice {
			t.Errorf("event %d kind %s/%s, want %s/%s", i, e.Kind, e.Notice, w.kind, w.notice)
		}
		if e.Text != w.text {
			t.Errorf("event %d text %q, want %q", i, e.Text, w.text)
		}
		if !e.Time.Equal(w.time) || e.Time.Location().String() != "Asia/Shanghai" {
			t.Errorf("event %d time %v, want %v in Asia/Shanghai", i, e.Time, w.time)
		}
		if got := names(e.Mentions); got != w.mentions {
			t.Errorf("event %d mentions %q, want %q", i, got, w.mentions)
		}
		if e.ChatKind != bot.Group || e.ChatID != "计算机学院青年之家" || e.ChatName != "计算机学院青年之家" {
			t.Errorf("event %d chat %s %q %q", i, e.ChatKind, e.ChatID, e.ChatName)
		}
		if e.Platform != "" {
			t.Errorf("event %d platform %q: the caller sets it", i, e.Platform)
		}
		if e.MsgID == "" {
			t.Errorf("event %d has no MsgID", i)
		}
	}
	ids := map[string]int{}
	for i, e := range res.Events {
		if j, dup := ids[e.MsgID]; dup {
			t.Fatalf("events %d and %d share MsgID %s", j, i, e.MsgID)
		}
		ids[e.MsgID] = i
	}
}

func TestParseQQTextReport(t *testing.T) {
	res := parseQQFile(t, "testdata/qq_group.txt")
	rep := res.Report
	// 42, not 43: line 14 ends with a lone CR and the blank line after it with LF, and CR LF
	// is one line ending.
	if got, want := rep.Lines, 42; got != want {
		t.Errorf("Lines %d, want %d", got, want)
	}
	if got, want := rep.Messages, 10; got != want {
		t.Errorf("Messages %d, want %d", got, want)
	}
	if got, want := len(rep.Skipped), 1; got != want {
		t.Fatalf("Skipped %v, want %d entry", rep.Skipped, want)
	}
	if got, want := rep.Skipped[0].Line, 30; got != want {
		t.Errorf("skipped line %d, want %d (the 2024-02-30 header)", got, want)
	}
	if len(rep.Repaired) != 0 {
		t.Errorf("Repaired %v, want none", rep.Repaired)
	}
	m, ok := rep.Members["20002"]
	if !ok {
		t.Fatalf("member 20002 missing: %v", rep.Members)
	}
	if got, want := m.Name, "明明"; got != want {
		t.Errorf("latest name %q, want %q", got, want)
	}
	if got, want := strings.Join(m.Names, "|"), "小明 (2班)|明明"; got != want {
		t.Errorf("names %q, want %q", got, want)
	}
	if _, ok := rep.Members[qqSystemID]; ok {
		t.Error("the system sender is listed as a member")
	}
	if got, want := len(rep.Members), 4; got != want {
		t.Errorf("%d members (%v), want %d", got, rep.Members, want)
	}
}

func TestParseQQTextIdempotent(t *testing.T) {
	a := parseQQFile(t, "testdata/qq_group.txt")
	b := parseQQFile(t, "testdata/qq_group.txt")
	if len(a.Events) != len(b.Events) {
		t.Fatalf("%d vs %d events", len(a.Events), len(b.Events))
	}
	for i := range a.Events {
		if a.Events[i].MsgID != b.Events[i].MsgID {
			t.Fatalf("event %d: MsgID %s then %s", i, a.Events[i].MsgID, b.Events[i].MsgID)
		}
	}
	// A later export that has more history keeps the ids of the messages both share,
	// even after the sender renamed.
	raw, err := os.ReadFile("testdata/qq_group.txt")
	if err != nil {
		t.Fatal(err)
	}
	more := append(raw, []byte("\n\n2024-03-02 8:00:00 新名字(20002)\n再来一条\n")...)
	c, err := ParseQQText(bytes.NewReader(more), "计算机学院青年之家")
	if err != nil {
		t.Fatal(err)
	}
	for i := range a.Events {
		if a.Events[i].MsgID != c.Events[i].MsgID {
			t.Fatalf("event %d: MsgID changed when the export grew", i)
		}
	}
	if got, want := c.Events[1].Sender.Name, "新名字"; got != want {
		t.Fatalf("sender name %q, want the latest %q", got, want)
	}
}

func TestParseQQTextHeaders(t *testing.T) {
	tests := []struct {
		line  string
		ok    bool
		valid bool
		id    string
		name  string
	}{
		{"2024-03-01 9:05:02 王老师(10001)", true, true, "10001", "王老师"},
		{"2024-03-01 19:05:02 (10001)", true, true, "10001", ""},
		{"2024-03-01 9:05:02 a (b) [c] (d)(123)", true, true, "123", "a (b) [c] (d)"},
		{"2024-03-01 9:05:02 某人<a@b.cn>", true, true, "a@b.cn", "某人"},
		{"2024-03-01 9:05:02 某人<not-an-email>", false, false, "", ""},
		{"2024-03-01 9:05:02 某人(abc)", false, false, "", ""},
		{"2024-03-01 25:05:02 某人(1)", true, false, "1", "某人"},
		{"今天 9:05:02 某人(1)", false, false, "", ""},
		{"2024-03-01 9:05:02 【群主】 团支书(42)", true, true, "42", "团支书"},
	}
	for _, tt := range tests {
		h, ok := parseQQHeader(tt.line, 1)
		if ok != tt.ok {
			t.Fatalf("%q: header %v, want %v", tt.line, ok, tt.ok)
		}
		if !ok {
			continue
		}
		if h.valid != tt.valid || h.id != tt.id || h.name != tt.name {
			t.Fatalf("%q: valid %v id %q name %q, want %v %q %q", tt.line, h.valid, h.id, h.name, tt.valid, tt.id, tt.name)
		}
	}
}

func TestParseQQTextHostile(t *testing.T) {
	res := parseQQFile(t, "testdata/qq_hostile.txt")
	rep := res.Report
	if got, want := len(res.Events), 3; got != want {
		t.Fatalf("%d events, want %d", got, want)
	}
	for i, e := range res.Events {
		if !utf8.ValidString(e.Text) || strings.ContainsRune(e.Text, 0) {
			t.Fatalf("event %d text not clean: %q", i, e.Text)
		}
	}
	if got, want := res.Events[1].Text, "hello \uFFFD( world"; got != want {
		t.Fatalf("repaired text %q, want %q", got, want)
	}
	if got := len(res.Events[2].Text); got > maxLine {
		t.Fatalf("overlong line kept with %d bytes", got)
	}
	if got, want := len(rep.Skipped), 1; got != want || rep.Skipped[0].Line != 1 {
		t.Fatalf("Skipped %v, want line 1 only", rep.Skipped)
	}
	lines := map[int]bool{}
	for _, p := range rep.Repaired {
		lines[p.Line] = true
	}
	for _, l := range []int{7, 9, 12} { // binary line, bad body, long line
		if !lines[l] {
			t.Errorf("line %d not reported as repaired: %v", l, rep.Repaired)
		}
	}
}

func TestParseQQTextEmptyAndOddEndings(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		events   int
		skipped  int
		lastText string
	}{
		{"empty", "", 0, 0, ""},
		{"only preamble", "\uFEFF消息记录（此消息记录为文本格式，不支持重新导入）\r\n=====\r\n", 0, 0, ""},
		{"no final newline", "2024-01-01 1:00:00 a(1)\nx", 1, 0, "x"},
		{"all CR", "2024-01-01 1:00:00 a(1)\rx\ry\r\r2024-01-01 1:00:01 b(2)\rz", 2, 0, "z"},
		{"empty body", "2024-01-01 1:00:00 a(1)\n\n2024-01-01 1:00:01 b(2)\nz\n", 1, 1, "z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, err := ParseQQText(strings.NewReader(tt.in), "g")
			if err != nil {
				t.Fatal(err)
			}
			if got := len(res.Events); got != tt.events {
				t.Fatalf("%d events, want %d", got, tt.events)
			}
			if got := len(res.Report.Skipped); got != tt.skipped {
				t.Fatalf("skipped %v, want %d", res.Report.Skipped, tt.skipped)
			}
			if tt.events > 0 {
				if got := res.Events[len(res.Events)-1].Text; got != tt.lastText {
					t.Fatalf("last text %q, want %q", got, tt.lastText)
				}
			}
		})
	}
}
