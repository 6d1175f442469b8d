package handlers

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/bot/bottest"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

type fakeAsker struct{}

func (fakeAsker) Ask(_ context.Context, q Question) (Answer, error) {
	switch {
	case strings.Contains(q.Text, "难题"):
		return Answer{Handoff: true, Reason: "unsure"}, nil
	case strings.Contains(q.Text, "出错"):
		return Answer{}, errors.New("endpoint down")
	}
	return Answer{Text: "周六九点集合。来源：《志愿服务须知》", PromptTokens: 10, CompletionTokens: 5}, nil
}

// last is the newest message queued.
func last(o *bottest.Outbox) bot.Outgoing { m := o.Sent(); return m[len(m)-1] }

// TestQuestionFlow: an answer from the Q&A engine; a hand-off tracked, the cadre notified with an
// @, the cadre's quote closing it and counting a direct interaction; a failing engine hands off.
func TestQuestionFlow(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	db.Now = func() time.Time { return now }
	if _, err := db.PutCommittee(ctx, "城区团委", "", ""); err != nil {
		t.Fatal(err)
	}
	cadre, err := db.PutCadre(ctx, storage.Cadre{Name: "王小明", Kind: "full_time", Target: 100}, "城区团委")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.BindIdentity(ctx, bot.QQ, bot.User{ID: "c1", Name: "王小明"}, cadre); err != nil {
		t.Fatal(err)
	}
	r := bot.NewRouter()
	Register(r, Options{Store: db, Policy: record.DefaultPolicy(), Asker: fakeAsker{}, Now: func() time.Time { return now }})
	out := &bottest.Outbox{}
	n := 0
	say := func(from, text string, atBot bool, replyTo string) string {
		n++
		ev := bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: "g1", ChatName: "青年群", MsgID: string(rune('a' + n)),
			Sender: bot.User{ID: from, Name: from}, Kind: bot.Text, Text: text, AtBot: atBot, ReplyTo: replyTo, Time: now}
		sts, err := db.IngestBatch(ctx, []bot.Incoming{{Event: ev}})
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Serve(bot.NewContext(ctx, &ev, sts[0], out, nil)); err != nil {
			t.Fatal(err)
		}
		return ev.MsgID
	}
	say("c1", "/登记本群", false, "")
	say("y1", "周六几点集合？", true, "")
	if got := last(out).Text; !strings.Contains(got, "来源：《志愿服务须知》") {
		t.Fatalf("answer = %q", got)
	}
	q := say("y1", "这个难题怎么办？", true, "")
	notify := last(out)
	if !strings.Contains(notify.Text, "待答复提问") || len(notify.Mention) != 1 || notify.Mention[0].ID != "c1" {
		t.Fatalf("cadre notification = %+v", notify)
	}
	if told := out.Sent()[len(out.Sent())-2].Text; !strings.Contains(told, "已转交给团干部王小明") {
		t.Fatalf("youth told %q", told)
	}
	open, err := db.OpenQuestions(ctx, cadre)
	if err != nil || len(open) != 1 {
		t.Fatalf("open questions = %v, %v; want 1", open, err)
	}
	say("c1", "去团委办公室登记就行", false, q)
	if open, err := db.OpenQuestions(ctx, cadre); err != nil || len(open) != 0 {
		t.Fatalf("question still open after the cadre's quote: %+v (%v)", open, err)
	}
	f, err := db.Facts(ctx, period.QuarterOf(now), cadre)
	if err != nil {
		t.Fatal(err)
	}
	if got := f[cadre].ByKind["answer"]; got != 1 {
		t.Fatalf("answer interactions = %d, want 1", got)
	}
	say("y2", "服务出错了吗", true, "")
	if open, err := db.OpenQuestions(ctx, cadre); err != nil || len(open) != 1 || !strings.Contains(open[0].Reason, "llm_failed") {
		t.Fatalf("a failing engine should hand off: %+v (%v)", open, err)
	}
}
