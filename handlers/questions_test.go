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

// testBot is the handlers over a fresh database with one cadre, 王小明, bound to the QQ user c1.
type testBot struct {
	t     *testing.T
	ctx   context.Context
	db    *storage.DB
	cadre int64
	r     *bot.Router
	out   *bottest.Outbox
	now   time.Time
	n     int
}

func newTestBot(t *testing.T, o Options) *testBot {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "q.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
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
	o.Store, o.Policy, o.Now = db, record.DefaultPolicy(), func() time.Time { return now }
	Register(r, o)
	return &testBot{t: t, ctx: ctx, db: db, cadre: cadre, r: r, out: &bottest.Outbox{}, now: now}
}

// send stores and handles a text message from a user in a chat (the group g1, or a private chat
// when chat is empty), and returns its message id.
func (b *testBot) send(chat, from, text string, atBot bool, replyTo string) string {
	b.n++
	ev := bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: chat, ChatName: "青年群", MsgID: string(rune('a' + b.n)),
		Sender: bot.User{ID: from, Name: from}, Kind: bot.Text, Text: text, AtBot: atBot, ReplyTo: replyTo, Time: b.now}
	if chat == "" {
		ev.ChatKind, ev.ChatID, ev.ChatName = bot.Private, from, ""
	}
	sts, err := b.db.IngestBatch(b.ctx, []bot.Incoming{{Event: ev}})
	if err != nil {
		b.t.Fatal(err)
	}
	if err := b.r.Serve(bot.NewContext(b.ctx, &ev, sts[0], b.out, nil)); err != nil {
		b.t.Fatal(err)
	}
	return ev.MsgID
}

// TestQuestionFlow: an answer from the Q&A engine; a hand-off tracked, the cadre notified with an
// @, the cadre's quote closing it and counting a direct interaction; a failing engine hands off.
func TestQuestionFlow(t *testing.T) {
	b := newTestBot(t, Options{Asker: fakeAsker{}})
	ctx, db, cadre, out, now := b.ctx, b.db, b.cadre, b.out, b.now
	say := func(from, text string, atBot bool, replyTo string) string {
		return b.send("g1", from, text, atBot, replyTo)
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

// TestQuestionsWithoutCadre: a question asked where no cadre is responsible is kept; a group's
// waiting questions go to the cadre who registers it, and a private chat is not called a group.
func TestQuestionsWithoutCadre(t *testing.T) {
	type step struct {
		chat, from, text string
		want, not        string // in the reply, and not in it
	}
	cases := []struct {
		name  string
		steps []step
	}{
		{"group registered later", []step{
			{"g1", "y1", "/问 入团需要什么条件？", "本群还没有登记团干部", ""},
			{"g1", "c1", "/登记本群", "登记前本群有 1 条提问在等团干部，已转交给你", ""},
			{"g1", "c1", "/待办", "y1：入团需要什么条件？", ""},
			{"g1", "c1", "/台账", "待答复提问：1 条", ""},
			{"g1", "c1", "/登记本群", "本群已经登记在你名下了。", "提问"},
		}},
		{"nothing waiting", []step{
			{"g1", "c1", "/登记本群", "登记成功", "提问"},
			{"g1", "c1", "/待办", "没有等待你答复的提问", ""},
		}},
		{"private chat", []step{
			{"", "y1", "/问 入团需要什么条件？", "私聊的提问还没有对应的团干部", "本群"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newTestBot(t, Options{})
			for _, s := range tc.steps {
				b.send(s.chat, s.from, s.text, false, "")
				got := last(b.out).Text
				if !strings.Contains(got, s.want) || s.not != "" && strings.Contains(got, s.not) {
					t.Fatalf("%s: reply %q, want %q in it and not %q", s.text, got, s.want, s.not)
				}
			}
		})
	}
}
