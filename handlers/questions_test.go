package handlers

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/bot/bottest"
	"youthlink/period"
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

// testNow is when the handlers' tests chat: a Wednesday in 2026Q4.
var testNow = time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)

// last is the newest message queued.
func last(o *bottest.Outbox) bot.Outgoing { m := o.Sent(); return m[len(m)-1] }

// TestQuestionFlow: an answer from the Q&A engine; a hand-off tracked, the cadre notified with an
// @, the cadre's quote closing it and counting a direct interaction; a failing engine hands off.
func TestQuestionFlow(t *testing.T) {
	b := newBare(t, testNow, Options{Asker: fakeAsker{}})
	ctx, db, cadre, out, now := b.ctx, b.db, b.cadres["王小明"], b.out, b.now
	say := func(from, text string, atBot bool, replyTo string) string {
		return b.send("g1", from, text, atBot, replyTo)
	}

	say("王小明", "/登记本群", false, "")
	say("y1", "周六几点集合？", true, "")
	if got := last(out).Text; !strings.Contains(got, "来源：《志愿服务须知》") {
		t.Fatalf("answer = %q", got)
	}
	q := say("y1", "这个难题怎么办？", true, "")
	notify := last(out)
	if !strings.Contains(notify.Text, "待答复提问") || len(notify.Mention) != 1 || notify.Mention[0].ID != "王小明" {
		t.Fatalf("cadre notification = %+v", notify)
	}
	if told := out.Sent()[len(out.Sent())-2].Text; !strings.Contains(told, "已转交给团干部王小明") {
		t.Fatalf("youth told %q", told)
	}
	open, err := db.OpenQuestions(ctx, cadre)
	if err != nil || len(open) != 1 {
		t.Fatalf("open questions = %v, %v; want 1", open, err)
	}
	say("王小明", "去团委办公室登记就行", false, q)
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
			{"g1", "王小明", "/登记本群", "登记前本群有 1 条提问在等团干部，已转交给你", ""},
			{"g1", "王小明", "/待办", "y1：入团需要什么条件？", ""},
			{"g1", "王小明", "/台账", "待答复提问：1 条", ""},
			{"g1", "王小明", "/登记本群", "本群已经登记在你名下了。", "提问"},
		}},
		{"nothing waiting", []step{
			{"g1", "王小明", "/登记本群", "登记成功", "提问"},
			{"g1", "王小明", "/待办", "没有等待你答复的提问", ""},
		}},
		{"private chat", []step{
			{"", "y1", "/问 入团需要什么条件？", "私聊的提问还没有对应的团干部", "本群"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBare(t, testNow, Options{})
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
