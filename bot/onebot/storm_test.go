package onebot

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
)

// TestDisconnectStorm: the OneBot implementation drops its connection 50 times in a row. Before
// each drop a new /帮助 arrives; after each reconnect the previous message is delivered again (as
// an implementation replays after a restart), and a message is queued for the group while no
// account is connected. Stated outcome: the adapter takes every reconnect, each message is stored
// once (the replays are duplicates), every command is answered exactly once, and what was queued
// during a disconnect is sent once the account is back (the outbox retries; none failed).
// Each drop comes after the outbox recorded the answer as sent: a drop between the platform taking
// a message and its confirmation reaching the bot makes the outbox send it again (the same
// at-least-once window TestCrashOutboxSendsOnce measures for a crash); an earlier version of this
// test that dropped right after the platform took the answer saw 19 such repeats in 50 drops.
func TestDisconnectStorm(t *testing.T) {
	r := engineRig(t, bot.Limits{RetryBackoff: 5 * time.Millisecond, MaxAttempts: 1000})
	f, db, eng, ob, a, ctx := r.f, r.db, r.eng, r.ob, r.a, r.ctx
	url := wsURL(t, a, 0)
	const drops = 50
	group := bot.Chat{Platform: bot.QQ, Account: "10001", Kind: bot.Group, ID: "555"}
	for i := 0; i < drops; i++ {
		if i > 0 {
			f.push(ctx, f.groupMsg(int64(1000+i-1), 555, 777, "张三", "三哥", "/帮助"))
		}
		f.push(ctx, f.groupMsg(int64(1000+i), 555, 777, "张三", "三哥", "/帮助"))
		for !strings.Contains(string(f.waitCall("send_group_msg").Params["message"]), "可用命令") {
		}
		waitFor(t, "the answer to be confirmed", func() bool {
			n, err := db.OutboxCounts(ctx)
			return err == nil && n["pending"] == 0
		})
		f.drop()
		waitFor(t, "the account to drop", func() bool { return len(a.Accounts()) == 0 })
		if err := ob.Enqueue(ctx, bot.Outgoing{Chat: group, Text: "断线期间的通知", Key: fmt.Sprint("storm-", i)}); err != nil {
			t.Fatal(err)
		}
		if _, err := ob.Pass(ctx); err != nil { // the send fails: no account
			t.Fatal(err)
		}
		if n, err := db.OutboxCounts(ctx); err != nil || n["pending"] == 0 || n["failed"] != 0 {
			t.Fatalf("outbox while disconnected: %v (%v), want the notice pending", n, err)
		}
		if _, err := f.dialReverse(ctx, url, "Universal"); err != nil {
			t.Fatalf("reconnect %d: %v", i, err)
		}
		waitAccount(t, a, "10001")
	}
	f.push(ctx, f.groupMsg(int64(1000+drops-1), 555, 777, "张三", "三哥", "/帮助"))
	waitFor(t, "the last replay", func() bool { return eng.Stats().Duplicates == drops })
	waitFor(t, "the queued notices to go out", func() bool {
		if _, err := ob.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := db.OutboxCounts(ctx)
		return err == nil && n["pending"] == 0
	})
	if n, err := db.MessageCount(ctx); err != nil || n != drops {
		t.Fatalf("messages stored = %d (%v), want %d", n, err, drops)
	}
	notices, helps := 0, 0
	f.mu.Lock()
	for _, c := range f.calls {
		switch m := string(c.Params["message"]); {
		case strings.Contains(m, "断线期间的通知"):
			notices++
		case strings.Contains(m, "可用命令"):
			helps++
		}
	}
	f.mu.Unlock()
	if helps != drops {
		t.Fatalf("%d answers to %d commands", helps, drops)
	}
	if notices != drops {
		t.Fatalf("%d of %d notices queued during disconnects were sent", notices, drops)
	}
	if n, err := db.OutboxCounts(ctx); err != nil || n["failed"] != 0 || n["sent"] == 0 {
		t.Fatalf("outbox: %v (%v)", n, err)
	}
}
