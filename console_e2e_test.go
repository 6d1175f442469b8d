package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/config"
	"youthlink/period"
	"youthlink/record"
)

const e2eConfig = `
committees:
  - {name: 城区团委}
cadres:
  - {name: 王小明, committee: 城区团委, kind: full_time}
bot:
  name: 小助手
schedules:
  enabled: false
web:
  enabled: false
`

// TestConsoleEndToEnd drives the whole engine through the console adapter: messages in,
// commands answered, the record out, its numbers checked against a hand count.
func TestConsoleEndToEnd(t *testing.T) {
	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.yaml")
	if err := os.WriteFile(cfgPath, []byte(e2eConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(dir, "e2e.db")
	script := strings.Join([]string{
		"/登记本群",         // #1 王小明 registers the group
		":as 张三", "大家好", // #2 youth chatter: no contact
		":as 李四", "@王小明 周六活动几点？", // #3 youth @ cadre: mention (王小明, 李四)
		"/台账",                // #4 a youth asks for a record: cadre only
		"/不存在",               // #5 unknown command: a hint
		":as 王小明", "^3 九点集合", // #6 cadre quotes 李四: reply (counts once per pair per message)
		"@张三 @张三 @张三 欢迎",        // #7 cadre @ 张三 three times in one message: one mention
		"@张三 再@一次",              // #8 again the same day: an interaction, but no more points
		"/活动 线下 社区志愿服务 @张三 @王五", // #9 activity with 张三 and 王五
		"/见面 @李四 聊了实习",          // #10 face to face with 李四
		"/台账",                   // #11
	}, "\n")
	var out bytes.Buffer
	ctx := context.Background()
	if err := runConsole(ctx, cfgPath, dbPath, "王小明", "青年一群", strings.NewReader(script+"\n"), &out, &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"配置里的团干部（以他们的名字发言即为已绑定的团干部）：王小明\n", // a list in words, not [王小明]
		"登记成功",
		"这个命令只对已绑定的团干部开放",
		"没有「/不存在」这个命令",
		"已登记线下活动「社区志愿服务」",
		"已登记与 李四 的面对面交流",
		"直接联系青年：3 / 目标 100 人，覆盖率 3%",
		"互动：@互动 3，回复/引用 1，活动参与 2，面对面交流 1",
		// points: mention 2 distinct youths ×1, reply 1, activity 2×5, face to face 10
		"积分：23",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("console output lacks %q\n%s", want, got)
		}
	}

	// The same numbers from the store, as `record` reads them.
	cfg, err := config.Load(cfgPath)
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, appOptions{db: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	now := time.Now()
	book, err := record.Compile(ctx, a.db, cfg.Policy(), period.QuarterOf(now), now)
	if err != nil {
		t.Fatal(err)
	}
	cd, err := a.db.CadreByName(ctx, "王小明")
	if err != nil {
		t.Fatal(err)
	}
	r := book.Of(cd.ID)
	if r.Facts.Reached != 3 || r.Points != 23 || r.Facts.ByKind["mention"] != 3 || r.Facts.Activities["offline"] != 1 {
		t.Fatalf("record: reached %d points %d mentions %d offline %d; want 3 23 3 1",
			r.Facts.Reached, r.Points, r.Facts.ByKind["mention"], r.Facts.Activities["offline"])
	}
}

// TestDeliveredTwice: the same message delivered twice, or replayed after a restart, is stored
// and counted once and answered once.
func TestDeliveredTwice(t *testing.T) {
	ctx := context.Background()
	cfg, err := config.Parse("test", []byte(e2eConfig))
	if err != nil {
		t.Fatal(err)
	}
	dbPath := filepath.Join(t.TempDir(), "twice.db")
	sent := 0
	ev := bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: "555", ChatName: "青年群", MsgID: "42",
		Sender: bot.User{ID: "777", Name: "张三"}, Text: "/帮助", Time: time.Now()}
	for restart := 0; restart < 2; restart++ {
		a, err := openApp(ctx, cfg, appOptions{db: dbPath})
		if err != nil {
			t.Fatal(err)
		}
		cap := &capture{}
		a.addAdapter(bot.QQ, cap, bot.Limits{})
		stop := a.start(ctx)
		for i := 0; i < 2; i++ {
			st, err := a.engine.DeliverWait(ctx, ev)
			if err != nil {
				t.Fatal(err)
			}
			if want := restart == 0 && i == 0; st.New != want {
				t.Fatalf("restart %d delivery %d: New = %v, want %v", restart, i, st.New, want)
			}
		}
		if err := a.settle(ctx); err != nil {
			t.Fatal(err)
		}
		stop()
		for _, m := range cap.sent {
			if m.ReplyTo == "42" {
				sent++
			}
		}
		a.close()
	}
	if sent != 1 {
		t.Fatalf("/帮助 answered %d times, want once", sent)
	}
}
