package importer

import (
	"bytes"
	"os"
	"testing"
	"unicode/utf8"
)

// checkResult holds for any input: clean text, unique ids, a report that adds up.
func checkResult(t *testing.T, res *Result) {
	t.Helper()
	if res.Report.Messages != len(res.Events) {
		t.Fatalf("report says %d messages, have %d", res.Report.Messages, len(res.Events))
	}
	seen := map[string]bool{}
	for _, e := range res.Events {
		if !utf8.ValidString(e.Text) || !utf8.ValidString(e.Sender.Name) || !utf8.ValidString(e.Sender.ID) {
			t.Fatalf("invalid UTF-8 in event %+v", e)
		}
		if len(e.Text) > maxText {
			t.Fatalf("text of %d bytes", len(e.Text))
		}
		if e.MsgID == "" || seen[e.MsgID] {
			t.Fatalf("MsgID %q empty or repeated", e.MsgID)
		}
		seen[e.MsgID] = true
	}
}

func FuzzParseQQText(f *testing.F) {
	for _, name := range []string{"testdata/qq_group.txt", "testdata/qq_hostile.txt"} {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		if len(b) > 4096 {
			b = b[:4096]
		}
		f.Add(b)
	}
	f.Add([]byte("2024-01-01 1:00:00 a(1)\r\n@a @a\r2024-01-01 1:00:00 a(1)\n@a @a"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ParseQQText(bytes.NewReader(b), "g")
		if err != nil {
			t.Fatal(err)
		}
		checkResult(t, res)
		again, _ := ParseQQText(bytes.NewReader(b), "g")
		for i := range res.Events {
			if res.Events[i].MsgID != again.Events[i].MsgID {
				t.Fatal("MsgIDs differ between two parses")
			}
		}
	})
}

func FuzzParseWeChatCSV(f *testing.F) {
	b, err := os.ReadFile("testdata/wechat_group.csv")
	if err != nil {
		f.Fatal(err)
	}
	f.Add(b)
	f.Add([]byte("StrContent,CreateTime,Sender\n\"a\"\"b\",1,x\n@x @x,1,x\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		res, err := ParseWeChatCSV(bytes.NewReader(b), "g")
		if err != nil {
			return // not a WeChatMsg CSV: refused as a whole
		}
		checkResult(t, res)
	})
}
