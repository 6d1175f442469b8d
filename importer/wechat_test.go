package importer

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
)

func parseWeChatFile(t *testing.T, name string) *Result {
	t.Helper()
	f, err := os.Open(name)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	res, err := ParseWeChatCSV(f, "青年之家")
	if err != nil {
		t.Fatalf("ParseWeChatCSV: %v", err)
	}
	return res
}

func TestParseWeChatCSV(t *testing.T) {
	res := parseWeChatFile(t, "testdata/wechat_group.csv")
	at := func(h, m, s int) time.Time { return time.Date(2024, 3, 1, h, m, s, 0, shanghai) }
	want := []struct {
		msgID    string
		sender   string
		kind     bot.Kind
		notice   bot.Notice
		text     string
		time     time.Time
		mentions string
	}{
		{"wx-101-1709255102", "wxid_teacher:王老师", bot.Text, "", "同学们好，\n本周五开团日活动。", at(9, 5, 2), ""},
		{"wx-102-1709255170", "wxid_ming:明明", bot.Text, "", "@王老师\u2005收到，我会准时到。", at(9, 6, 10), "wxid_teacher:王老师"},
		{"wx-103-1709258400", "wxid_lily:Lily, 外联部", bot.Image, "", "[图片]", at(10, 0, 0), ""},
		{"wx-104-1709258460", "wxid_hong:小红", bot.System, bot.NoticeJoin, `"王老师"邀请"小红、小刚"加入了群聊`, at(10, 1, 0), ""},
		{"wx-105-1709258520", "wxid_hong:小红", bot.Sticker, "", "[表情]", at(10, 2, 0), ""},
		{"wx-106-1709258580", "wxid_ming:明明", bot.Text, "", "@小红 欢迎！@王老师备注 你好", at(10, 3, 0), "wxid_hong:小红,wxid_teacher:王老师"},
		{"wx-107-1709258640", "wxid_teacher:王老师", bot.File, "", "[文件]", at(10, 4, 0), ""},
		{"wx-111-1709258760", "wxid_b:乙", bot.Text, "", "只有 StrTime", at(10, 6, 0), ""},
		{"wx-112-1709258820", "system:系统消息", bot.System, "", `"小红" 撤回了一条消息`, at(10, 7, 0), ""},
	}
	if got, want := len(res.Events), len(want); got != want {
		for _, e := range res.Events {
			t.Logf("%s %s %q", e.MsgID, e.Sender.ID, e.Text)
		}
		t.Fatalf("%d events, want %d", got, want)
	}
	for i, w := range want {
		e := res.Events[i]
		if e.MsgID != w.msgID {
			t.Errorf("event %d MsgID %q, want %q", i, e.MsgID, w.msgID)
		}
		if got := e.Sender.ID + ":" + e.Sender.Name; got != w.sender {
			t.Errorf("event %d sender %q, want %q", i, got, w.sender)
		}
		if e.Kind != w.kind || e.Notice != w.notice {
			t.Errorf("event %d kind %s/%s, want %s/%s", i, e.Kind, e.Notice, w.kind, w.notice)
		}
		if e.Text != w.text {
			t.Errorf("event %d text %q, want %q", i, e.Text, w.text)
		}
		if !e.Time.Equal(w.time) {
			t.Errorf("event %d time %v, want %v", i, e.Time, w.time)
		}
		if got := names(e.Mentions); got != w.mentions {
			t.Errorf("event %d mentions %q, want %q", i, got, w.mentions)
		}
		if e.ChatID != "青年之家" || e.ChatKind != bot.Group {
			t.Errorf("event %d chat %s %q", i, e.ChatKind, e.ChatID)
		}
	}
	rep := res.Report
	if got, want := rep.Lines, 12; got != want {
		t.Errorf("Lines %d, want %d (records after the header)", got, want)
	}
	var skipped []int
	for _, p := range rep.Skipped {
		skipped = append(skipped, p.Line)
	}
	if got, want := fmtInts(skipped), " 10 11 12"; got != want {
		t.Errorf("skipped lines %s (%v), want %s", got, rep.Skipped, want)
	}
	m := rep.Members["wxid_teacher"]
	if got, want := m.Name+"|"+strings.Join(m.Names, ","), "王老师|王老师,王老师备注"; got != want {
		t.Errorf("teacher %q, want %q", got, want)
	}
	m = rep.Members["wxid_ming"]
	if got, want := m.Name+"|"+strings.Join(m.Names, ","), "明明|小明,明明"; got != want {
		t.Errorf("ming %q, want %q", got, want)
	}
	if got, want := len(rep.Members), 5; got != want {
		t.Errorf("%d members %v, want %d", got, rep.Members, want)
	}
}

func fmtInts(xs []int) string {
	var b strings.Builder
	for _, x := range xs {
		b.WriteString(" ")
		b.WriteString(itoa(x))
	}
	return b.String()
}

func TestParseWeChatCSVBadHeader(t *testing.T) {
	tests := []struct{ name, in string }{
		{"empty", ""},
		{"other csv", "time,group,content\n2024-01-01,g,x\n"},
		{"no time", "localId,StrContent\n1,x\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := ParseWeChatCSV(strings.NewReader(tt.in), "g"); err == nil {
				t.Fatal("no error for a file that is not a WeChatMsg CSV")
			}
		})
	}
}

func TestParseWeChatCSVIdempotentWithoutLocalID(t *testing.T) {
	in := "StrContent,CreateTime,NickName,Sender\n你好,1709255102,甲,wxid_a\n你好,1709255102,甲,wxid_a\n"
	a, err := ParseWeChatCSV(strings.NewReader(in), "g")
	if err != nil {
		t.Fatal(err)
	}
	b, err := ParseWeChatCSV(strings.NewReader(in), "g")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(a.Events), 2; got != want {
		t.Fatalf("%d events, want %d", got, want)
	}
	if a.Events[0].MsgID == a.Events[1].MsgID {
		t.Fatal("two identical messages got the same MsgID")
	}
	for i := range a.Events {
		if a.Events[i].MsgID != b.Events[i].MsgID {
			t.Fatalf("event %d MsgID differs between parses", i)
		}
	}
}

// TestParseWeChatCSVRepeatedLocalID: a row repeated word for word (a file pasted twice) is
// imported once and reported; a different message under the same localId and time (found by the
// fuzzer) is kept under an id of its own, the same on every parse.
func TestParseWeChatCSVRepeatedLocalID(t *testing.T) {
	in := "localId,StrContent,CreateTime,NickName,Sender\n" +
		"105,你好,1709255102,甲,wxid_a\n" +
		"105,你好,1709255102,甲,wxid_a\n" +
		"105,另一句话,1709255102,甲,wxid_a\n"
	a, err := ParseWeChatCSV(strings.NewReader(in), "g")
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Events) != 2 || a.Events[0].Text != "你好" || a.Events[1].Text != "另一句话" {
		t.Fatalf("events %+v, want 你好 and 另一句话 once each", a.Events)
	}
	if a.Events[0].MsgID != "wx-105-1709255102" || a.Events[1].MsgID == a.Events[0].MsgID {
		t.Fatalf("MsgIDs %q and %q", a.Events[0].MsgID, a.Events[1].MsgID)
	}
	if len(a.Report.Skipped) != 1 || a.Report.Skipped[0].Line != 3 || !strings.Contains(a.Report.Skipped[0].Reason, "只导入一次") {
		t.Fatalf("report %+v, want the repeated row skipped with its reason", a.Report)
	}
	b, err := ParseWeChatCSV(strings.NewReader(in), "g")
	if err != nil {
		t.Fatal(err)
	}
	if b.Events[1].MsgID != a.Events[1].MsgID {
		t.Fatal("the derived MsgID differs between parses")
	}
}

func TestParseWeChatCSVHostile(t *testing.T) {
	var in bytes.Buffer
	in.WriteString("StrContent,CreateTime,NickName,Sender\n")
	in.WriteString("\"" + strings.Repeat("长", 40000) + "\",1709255102,甲,wxid_a\n") // 120 KB field
	in.WriteString("bad \xff\x00 bytes,1709255103,乙\xfe,wxid_b\n")
	in.Write([]byte{0, 1, 2, 0xff, '\n'})
	res, err := ParseWeChatCSV(&in, "g")
	if err != nil {
		t.Fatal(err)
	}
	checkResult(t, res)
	if got, want := len(res.Events), 2; got != want {
		t.Fatalf("%d events, want %d", got, want)
	}
	if got := len(res.Events[0].Text); got > maxText {
		t.Fatalf("long field kept with %d bytes", got)
	}
	if got, want := res.Events[1].Text, "bad \uFFFD bytes"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
	if got, want := len(res.Report.Repaired), 3; got != want { // long field, bad bytes, binary row
		t.Fatalf("repaired %v, want %d entries", res.Report.Repaired, want)
	}
	if got, want := len(res.Report.Skipped), 1; got != want || res.Report.Skipped[0].Line != 4 {
		t.Fatalf("skipped %v, want line 4", res.Report.Skipped)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
