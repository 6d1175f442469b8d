package onebot

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/handlers"
	"youthlink/record"
	"youthlink/storage"
)

// rig is a reverse-ws adapter wired to the real engine, handlers, outbox and SQLite store, with
// the fake connected to it.
type rig struct {
	f   *fakeOneBot
	db  *storage.DB
	eng *bot.Engine
	ob  *bot.Outbox
	a   *Adapter
	ctx context.Context
}

// engineRig builds a rig whose outbox has limits lim; the adapter's own send throttle is opened
// wide (it has its own test).
func engineRig(t *testing.T, lim bot.Limits) rig {
	ctx, cancel := context.WithCancel(context.Background())
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "qq.db"))
	if err != nil {
		t.Fatal(err)
	}
	r := bot.NewRouter()
	handlers.Register(r, handlers.Options{Store: db, Policy: record.DefaultPolicy()})
	a, err := New(Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0", SendPerMinute: 60_000, SendBurst: 100}}})
	if err != nil {
		t.Fatal(err)
	}
	ob := bot.NewOutbox(db, map[bot.Platform]bot.Sender{bot.QQ: a}, map[bot.Platform]bot.Limits{bot.QQ: lim}, bot.OutboxOptions{})
	eng := bot.NewEngine(bot.Options{Store: db, Router: r, Outbox: ob})
	var wg sync.WaitGroup
	wg.Add(3)
	go func() { defer wg.Done(); eng.Run(ctx) }()
	go func() { defer wg.Done(); ob.Run(ctx) }()
	go func() { defer wg.Done(); a.Run(ctx, eng) }()
	t.Cleanup(func() { cancel(); wg.Wait(); db.Close() })
	f := newFake(t, 10001)
	if _, err := f.dialReverse(ctx, wsURL(t, a, 0), "Universal"); err != nil {
		t.Fatal(err)
	}
	waitAccount(t, a, "10001")
	return rig{f: f, db: db, eng: eng, ob: ob, a: a, ctx: ctx}
}

// TestEngineAnswersGroupCommand: a /帮助 sent in a QQ group goes through the engine and the
// handlers, and the answer leaves through the outbox as send_group_msg to that group.
func TestEngineAnswersGroupCommand(t *testing.T) {
	r := engineRig(t, bot.Limits{})
	f, db, ctx := r.f, r.db, r.ctx
	f.push(ctx, f.groupMsg(321, 555, 777, "张三", "三哥", "/帮助"))
	for {
		c := f.waitCall("send_group_msg")
		if !strings.Contains(string(c.Params["message"]), "可用命令") {
			continue // the group's introduction comes first
		}
		if got := string(c.Params["group_id"]); got != "555" {
			t.Fatalf("group_id = %s, want 555", got)
		}
		break
	}
	if n, err := db.MessageCount(ctx); err != nil || n != 1 {
		t.Fatalf("messages stored = %d (%v), want 1", n, err)
	}
}

// TestLoadIntoDatabase pushes 5,000 group messages a second for 10 s through reverse-ws into the
// real engine and SQLite store, and checks that the database holds every one. It runs only with
// YOUTHLINK_LOAD=1 (the CI script sets it).
func TestLoadIntoDatabase(t *testing.T) {
	if testing.Short() || os.Getenv("YOUTHLINK_LOAD") != "1" {
		t.Skip("load test: set YOUTHLINK_LOAD=1 and drop -short")
	}
	r := engineRig(t, bot.Limits{})
	f, db, eng, ctx := r.f, r.db, r.eng, r.ctx
	const rate, secs, tick = 5000, 10, 10 * time.Millisecond
	total := rate * secs
	perTick := rate * int(tick) / int(time.Second)
	start := time.Now()
	tk := time.NewTicker(tick)
	for sent := 0; sent < total; {
		<-tk.C
		due := min(total, int(time.Since(start)/tick+1)*perTick)
		for ; sent < due; sent++ {
			f.push(ctx, f.groupMsg(int64(1_000_000+sent), 555+int64(sent%50), 700+int64(sent%997), "青年", "", "明天的团课几点开始？"))
		}
	}
	tk.Stop()
	sendDur := time.Since(start)
	var n int64
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		var err error
		if n, err = db.MessageCount(ctx); err != nil {
			t.Fatal(err)
		}
		if n >= int64(total) {
			break
		}
	}
	all := time.Since(start)
	t.Logf("sent %d in %v (%.0f msg/s); stored %d after %v; engine %+v", total, sendDur.Round(time.Millisecond),
		float64(total)/sendDur.Seconds(), n, all.Round(time.Millisecond), eng.Stats())
	if n != int64(total) {
		t.Fatalf("database holds %d of %d messages", n, total)
	}
}
