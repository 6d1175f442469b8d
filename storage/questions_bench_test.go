package storage

import (
	"context"
	"fmt"
	"testing"
	"time"

	"youthlink/bot"
)

// BenchmarkQuestionByMessage looks up, as a handler does for each message a cadre quotes, whether
// the quoted message is a question: against 1,000 stored questions, the quoted message one of
// them or not, with the writer committing a message between lookups as it does in a burst.
// lookup-ns/op is the lookup alone.
func BenchmarkQuestionByMessage(b *testing.B) {
	ctx := context.Background()
	db, cadre, _ := testDB(b, backendList[0])
	asker, err := db.Identity(ctx, bot.QQ, bot.User{ID: "y1", Name: "小青"})
	if err != nil {
		b.Fatal(err)
	}
	chat := bot.Chat{Platform: bot.QQ, Kind: bot.Group, ID: "g1"}
	for i := range 1000 {
		q := Question{Chat: chat, MsgID: fmt.Sprint("q", i), Asker: asker, Cadre: cadre, Text: "入团要什么材料？",
			Status: "open", AskedAt: db.Now()}
		if _, err := db.AddQuestion(ctx, q); err != nil {
			b.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name   string
		quoted string
		found  bool
	}{{"not-a-question", "m1", false}, {"a-question", "q500", true}} {
		b.Run(tc.name, func(b *testing.B) {
			n, looking := 0, time.Duration(0)
			for b.Loop() {
				n++
				in := msg(fmt.Sprint(tc.name, n), "y2", "收到", db.Now())
				if _, err := db.IngestBatch(ctx, []bot.Incoming{in}); err != nil {
					b.Fatal(err)
				}
				t0 := time.Now()
				q, err := db.QuestionByMessage(ctx, bot.QQ, "g1", tc.quoted)
				looking += time.Since(t0)
				if found := err == nil; found != tc.found || (found && q.MsgID != tc.quoted) {
					b.Fatalf("quoted %s: %+v, %v", tc.quoted, q, err)
				}
			}
			b.ReportMetric(float64(looking.Nanoseconds())/float64(n), "lookup-ns/op")
		})
	}
}
