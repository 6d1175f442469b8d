package storage

import (
	"context"
	"database/sql"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/counting"
	"youthlink/period"
)

// testDB opens a fresh database on backend b with one committee, a cadre bound to QQ user "c1"
// and a clock fixed on a Monday in 2026Q4.
func testDB(t testing.TB, b backend) (*DB, int64, int64) {
	t.Helper()
	ctx := context.Background()
	db := b.open(t)
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, period.Zone)
	db.Now = func() time.Time { return now }
	if _, err := db.PutCommittee(ctx, "团市委", "", "city"); err != nil {
		t.Fatal(err)
	}
	cid, err := db.PutCadre(ctx, Cadre{Name: "王小明", Kind: "full_time", Target: 100}, "团市委")
	if err != nil {
		t.Fatal(err)
	}
	code, err := db.NewBindCode(ctx, "王小明", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	iid, err := db.Identity(ctx, bot.QQ, bot.User{ID: "c1", Name: "小明"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Bind(ctx, code, iid); err != nil {
		t.Fatal(err)
	}
	return db, cid, iid
}

func msg(id, from, text string, at time.Time, mentions ...string) bot.Incoming {
	ev := bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: "g1", ChatName: "青年一群", MsgID: id,
		Sender: bot.User{ID: from, Name: "name-" + from}, Kind: bot.Text, Text: text, Time: at}
	for _, m := range mentions {
		ev.Mentions = append(ev.Mentions, bot.User{ID: m, Name: "name-" + m})
	}
	return bot.Incoming{Event: ev}
}

func TestIngestCountsAndDedupes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, _ := testDB(t, b)
		at := db.Now()
		batch := []bot.Incoming{
			msg("1", "y1", "大家好", at),                     // youth chatter: no contact
			msg("2", "c1", "@y1 欢迎", at, "y1"),            // cadre @ youth: contact
			msg("3", "y2", "@小明 请问", at, "c1"),            // youth @ cadre: contact
			msg("2", "c1", "@y1 欢迎", at, "y1"),            // the same message again in the batch
			msg("4", "y2", "@y1 你好", at, "y1"),            // youth @ youth: no contact
			msg("5", "c1", "@y1 @y1 @y1", at, "y1", "y1"), // one message, one interaction
		}
		sts, err := db.IngestBatch(ctx, batch)
		if err != nil {
			t.Fatal(err)
		}
		var news []bool
		for _, s := range sts {
			news = append(news, s.New)
		}
		if got, want := fmt.Sprint(news), "[true true true false true true]"; got != want {
			t.Fatalf("New = %s, want %s", got, want)
		}
		if !sts[0].NewGroup || sts[1].NewGroup {
			t.Fatalf("NewGroup = %v %v, want true false", sts[0].NewGroup, sts[1].NewGroup)
		}
		// replay after "restart": a fresh cache, same messages
		db.resetCache()
		if err := db.loadOwners(ctx); err != nil {
			t.Fatal(err)
		}
		sts, err = db.IngestBatch(ctx, batch[:3])
		if err != nil {
			t.Fatal(err)
		}
		for i, s := range sts {
			if s.New {
				t.Fatalf("replayed message %d stored again", i)
			}
		}
		q := period.QuarterOf(at)
		facts, err := db.Facts(ctx, q, cadre)
		if err != nil {
			t.Fatal(err)
		}
		f := facts[cadre]
		if got, want := f.Reached, 2; got != want {
			t.Fatalf("reached = %d, want %d", got, want)
		}
		if got, want := f.ByKind[counting.Mention], 3; got != want {
			t.Fatalf("mention interactions = %d, want %d", got, want)
		}
		var n int
		if err := db.r.QueryRow(`SELECT COUNT(*) FROM messages`).Scan(&n); err != nil || n != 5 {
			t.Fatalf("messages stored = %d (%v), want 5", n, err)
		}
		if err := recount(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}

func TestOptOutExcludes(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, _ := testDB(t, b)
		at := db.Now()
		if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("1", "c1", "@y1 hi", at, "y1"), msg("2", "y1", "我的手机号", at)}); err != nil {
			t.Fatal(err)
		}
		y1 := mustIdentity(t, db, "y1")
		if err := db.OptOut(ctx, y1); err != nil {
			t.Fatal(err)
		}
		sts, err := db.IngestBatch(ctx, []bot.Incoming{msg("3", "c1", "@y1 again", at, "y1"), msg("4", "y1", "秘密", at)})
		if err != nil {
			t.Fatal(err)
		}
		if !sts[1].OptedOut {
			t.Fatal("opted-out sender not flagged")
		}
		f, err := db.Facts(ctx, period.QuarterOf(at), cadre)
		if err != nil {
			t.Fatal(err)
		}
		if got := f[cadre].Reached; got != 0 {
			t.Fatalf("reached after opt-out = %d, want 0", got)
		}
		var kept int
		if err := db.r.QueryRow(`SELECT COUNT(*) FROM messages WHERE sender_id = ? AND text IS NOT NULL`, y1).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != 0 {
			t.Fatalf("%d messages of an opted-out youth keep their text", kept)
		}
		var dedupe, linked int
		if err := db.r.QueryRow(`SELECT COUNT(*) FROM messages WHERE msg_id IN ('2', '4')`).Scan(&dedupe); err != nil {
			t.Fatal(err)
		}
		if err := db.r.QueryRow(`SELECT COUNT(*) FROM messages WHERE msg_id = '4' AND (sender_id IS NOT NULL OR text IS NOT NULL)`).Scan(&linked); err != nil {
			t.Fatal(err)
		}
		if dedupe != 2 || linked != 0 {
			t.Fatalf("opted-out youth's messages: %d rows (want 2, kept for dedupe), %d with text or a link after opting out (want 0)", dedupe, linked)
		}
		if again, err := db.IngestBatch(ctx, []bot.Incoming{msg("4", "y1", "秘密", at)}); err != nil {
			t.Fatal(err)
		} else if again[0].New {
			t.Fatal("the opted-out youth's message stored again: dedupe lost with the link")
		}
		if err := recount(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}

// recount checks that the rollups equal a recount from the raw interactions.
func recount(ctx context.Context, db *DB) error {
	diff, err := db.RollupDrift(ctx)
	if err != nil {
		return err
	}
	if diff != 0 {
		return fmt.Errorf("rollups differ from a recount in %d rows", diff)
	}
	return nil
}

func TestSyncMembersFillsRoster(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, _ := testDB(t, b)
		if err := db.SyncMembers(ctx, bot.QQ, "g9", "青年九群", []bot.User{{ID: "y1", Name: "甲"}, {ID: "y2", Name: "乙", Card: "小乙"}, {ID: ""}}); err != nil {
			t.Fatal(err)
		}
		gs, err := db.GroupsByName(ctx, bot.QQ, "青年九群")
		if err != nil || len(gs) != 1 {
			t.Fatalf("groups = %v, %v", gs, err)
		}
		if _, _, err := db.RegisterGroup(ctx, gs[0].ID, cadre); err != nil {
			t.Fatal(err)
		}
		f, err := db.Facts(ctx, period.QuarterOf(db.Now()), cadre)
		if err != nil {
			t.Fatal(err)
		}
		if got := f[cadre].Roster; got != 2 {
			t.Fatalf("roster after sync = %d, want 2", got)
		}
		if n, err := db.IdentityName(ctx, mustIdentity(t, db, "y2")); err != nil || n != "小乙" {
			t.Fatalf("name = %q (%v), want the group card 小乙", n, err)
		}
	})
}

// TestSyncMembersKeepsOldNames: a roster sync that renames a youth keeps the name they went by
// in the history, as a rename seen in a message does, and the next message under the new name
// adds nothing.
func TestSyncMembersKeepsOldNames(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, _, _ := testDB(t, b)
		old := msg("s1", "y5", "大家好", db.Now())
		old.Event.Sender.Name = "旧名字"
		if _, err := db.IngestBatch(ctx, []bot.Incoming{old}); err != nil {
			t.Fatal(err)
		}
		if err := db.SyncMembers(ctx, bot.QQ, "g1", "", []bot.User{{ID: "y5", Name: "新名字"}}); err != nil {
			t.Fatal(err)
		}
		db.mu.Lock()
		cached := db.idents[chatKey{bot.QQ, "y5"}]
		db.mu.Unlock()
		if cached == nil || cached.name != "新名字" {
			t.Errorf("after the sync the cache holds y5 as %+v, want the name 新名字", cached)
		}
		again := msg("s2", "y5", "我改名了", db.Now())
		again.Event.Sender.Name = "新名字"
		if _, err := db.IngestBatch(ctx, []bot.Incoming{again}); err != nil {
			t.Fatal(err)
		}
		y5 := mustIdentity(t, db, "y5")
		for _, name := range []string{"旧名字", "新名字"} {
			if ids, err := db.IdentityByName(ctx, bot.QQ, name); err != nil || len(ids) != 1 || ids[0] != y5 {
				t.Errorf("IdentityByName(%q) = %v (%v), want [%d]", name, ids, err, y5)
			}
		}
		if n, err := db.IdentityName(ctx, y5); err != nil || n != "新名字" {
			t.Errorf("name = %q (%v), want 新名字", n, err)
		}
	})
}

func mustIdentity(t *testing.T, db *DB, id string) int64 {
	t.Helper()
	i, err := db.Identity(context.Background(), bot.QQ, bot.User{ID: id})
	if err != nil {
		t.Fatal(err)
	}
	return i
}

func TestPurgeTextKeepsCounts(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, _ := testDB(t, b)
		old := db.Now().AddDate(0, 0, -200)
		if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("1", "c1", "@y1 很久以前", old, "y1"), msg("2", "y1", "最近的话", db.Now())}); err != nil {
			t.Fatal(err)
		}
		before, err := db.Facts(ctx, period.Span{From: old.AddDate(0, 0, -1), To: db.Now().AddDate(0, 0, 1)}, cadre)
		if err != nil {
			t.Fatal(err)
		}
		n, err := db.PurgeText(ctx, db.Now().AddDate(0, 0, -180))
		if err != nil || n != 1 {
			t.Fatalf("purged %d (%v), want 1", n, err)
		}
		var kept int
		if err := db.r.QueryRow(`SELECT COUNT(*) FROM messages WHERE text IS NOT NULL`).Scan(&kept); err != nil {
			t.Fatal(err)
		}
		if kept != 1 {
			t.Fatalf("%d messages keep text, want 1 (the recent one)", kept)
		}
		after, err := db.Facts(ctx, period.Span{From: old.AddDate(0, 0, -1), To: db.Now().AddDate(0, 0, 1)}, cadre)
		if err != nil {
			t.Fatal(err)
		}
		if before[cadre].Reached != 1 || after[cadre].Reached != 1 || after[cadre].ByKind["mention"] != 1 {
			t.Fatalf("counts changed by the purge: before %+v after %+v", before[cadre], after[cadre])
		}
	})
}

// TestNameHistory: a youth is found by the name they first went by and by every later name;
// another youth who never took that name is not.
func TestNameHistory(t *testing.T) { eachBackend(t, testNameHistory) }

func testNameHistory(t *testing.T, bk backend) {
	ctx := context.Background()
	db, _, _ := testDB(t, bk)
	at := db.Now()
	first := msg("n1", "y7", "大家好", at)
	renamed := msg("n2", "y7", "改名啦", at.Add(time.Minute))
	renamed.Event.Sender.Name = "新名字"
	other := msg("n3", "y8", "你好", at)
	if _, err := db.IngestBatch(ctx, []bot.Incoming{first, other}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestBatch(ctx, []bot.Incoming{renamed}); err != nil {
		t.Fatal(err)
	}
	y7, err := db.Identity(ctx, bot.QQ, bot.User{ID: "y7"})
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"name-y7", "新名字"} {
		ids, err := db.IdentityByName(ctx, bot.QQ, name)
		if err != nil {
			t.Fatal(err)
		}
		if len(ids) != 1 || ids[0] != y7 {
			t.Errorf("IdentityByName(%q) = %v, want [%d]", name, ids, y7)
		}
	}
	if ids, err := db.IdentityByName(ctx, bot.QQ, "name-y8"); err != nil || len(ids) != 1 || ids[0] == y7 {
		t.Errorf("IdentityByName(name-y8) = %v (%v), want the other youth only", ids, err)
	}
}

// TestBatchKeepsEventOrder: a batch is stored in passes, but what it records follows the order
// of its events: an older name carried by a mention does not overwrite the newer name of the
// user's own later message, and a user first mentioned and then speaking was first seen at the
// mention. References inside one batch are found wherever they sit in it: a reply to a message
// of the same batch counts, and a recall marks a message of the same batch.
func TestBatchKeepsEventOrder(t *testing.T) { eachBackend(t, testBatchKeepsEventOrder) }

func testBatchKeepsEventOrder(t *testing.T, bk backend) {
	ctx := context.Background()
	db, _, _ := testDB(t, bk)
	at := db.Now().Truncate(time.Second)
	stale := msg("o1", "y1", "@老名字 你好", at, "y2")
	stale.Event.Mentions[0].Name = "老名字"
	own := msg("o2", "y2", "我改名了", at.Add(time.Second))
	own.Event.Sender.Name = "新名字"
	mentioned := msg("o3", "y1", "@y9 欢迎", at.Add(2*time.Second), "y9")
	speaks := msg("o4", "y9", "谢谢", at.Add(3*time.Second))
	quoted := msg("o5", "y3", "请问团课几点？", at.Add(4*time.Second))
	reply := msg("o6", "c1", "晚上七点", at.Add(5*time.Second))
	reply.Event.ReplyTo = "o5"
	oops := msg("o7", "y3", "发错了", at.Add(6*time.Second))
	recall := msg("o8", "y3", "", at.Add(7*time.Second))
	recall.Event.Kind, recall.Event.Notice, recall.Event.Target = bot.System, bot.NoticeRecall, "o7"
	sts, err := db.IngestBatch(ctx, []bot.Incoming{stale, own, mentioned, speaks, quoted, reply, oops, recall})
	if err != nil {
		t.Fatal(err)
	}
	var name string
	var first int64
	if err := db.r.QueryRowContext(ctx, `SELECT name FROM identities WHERE user_id = 'y2'`).Scan(&name); err != nil || name != "新名字" {
		t.Errorf("y2 is called %q (%v), want its own newer name 新名字", name, err)
	}
	if err := db.r.QueryRowContext(ctx, `SELECT name, first_at FROM identities WHERE user_id = 'y9'`).Scan(&name, &first); err != nil ||
		name != "name-y9" || first != at.Add(2*time.Second).Unix() {
		t.Errorf("y9: %q first seen %d (%v), want name-y9 first seen at the mention, %d", name, first, err, at.Add(2*time.Second).Unix())
	}
	if sts[5].ReplyToID == 0 || sts[5].ReplyToID != sts[4].SenderID {
		t.Errorf("reply to a message of the same batch: ReplyToID %d, want the quoted author %d", sts[5].ReplyToID, sts[4].SenderID)
	}
	var recalled int
	if err := db.r.QueryRowContext(ctx, `SELECT recalled FROM messages WHERE msg_id = 'o7'`).Scan(&recalled); err != nil || recalled != 1 {
		t.Errorf("recalled = %d (%v), want 1", recalled, err)
	}
}

// TestQuotesFoundAnywhereInBatch: the tally counts a batch's messages a step at a time as their
// rows go in (beside the writer, or on it for a batch smaller than a step); a quote is still
// found wherever the quoted message sits (before it, after it, in an earlier batch), a quote of
// a message never stored is simply no reply, and each found quote of a youth by the cadre is
// one reply interaction.
func TestQuotesFoundAnywhereInBatch(t *testing.T) { eachBackend(t, testQuotesFoundAnywhereInBatch) }

// quote is a message of a test batch quoting another.
type quote struct {
	at     int    // index of the quoting message
	target string // the quoted message's id
	author string // who wrote it, "" when it was never stored
}

func testQuotesFoundAnywhereInBatch(t *testing.T, bk backend) {
	big := 3*tallyStep + 5
	for _, tc := range []struct {
		name   string
		n      int
		quotes []quote
	}{
		{"larger than a step", big, []quote{
			{0, fmt.Sprint("m", big-1), fmt.Sprint("y", (big-1)%5)}, // the last message of the batch
			{tallyStep + 3, "m10", "y0"},                            // an earlier one, a step before
			{2 * tallyStep, "old", "y7"},                            // one of an earlier batch
			{2*tallyStep + 1, "nowhere", ""},                        // one never stored
			{big - 2, fmt.Sprint("m", big-1), fmt.Sprint("y", (big-1)%5)},
		}},
		{"smaller than a step", 10, []quote{{0, "m9", "y4"}, {5, "m2", "y2"}, {6, "old", "y7"}, {7, "nowhere", ""}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			db, _, cadreIdent := testDB(t, bk)
			at := db.Now().Truncate(time.Second)
			if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("old", "y7", "上周的问题", at)}); err != nil {
				t.Fatal(err)
			}
			batch := make([]bot.Incoming, tc.n)
			for i := range batch {
				batch[i] = msg(fmt.Sprint("m", i), fmt.Sprint("y", i%5), "聊天", at.Add(time.Duration(i)*time.Second))
			}
			for _, q := range tc.quotes {
				batch[q.at].Event.Sender = bot.User{ID: "c1", Name: "小明"}
				batch[q.at].Event.ReplyTo = q.target
			}
			sts, err := db.IngestBatch(ctx, batch)
			if err != nil {
				t.Fatal(err)
			}
			want := 0
			for _, q := range tc.quotes {
				var id int64
				if q.author != "" {
					var err error
					if id, err = db.Identity(ctx, bot.QQ, bot.User{ID: q.author}); err != nil {
						t.Fatal(err)
					}
					want++
				}
				if got := sts[q.at].ReplyToID; got != id {
					t.Errorf("message %d quoting %s: ReplyToID %d, want %d (%s)", q.at, q.target, got, id, q.author)
				}
			}
			var replies int
			if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM interactions i JOIN identities c ON c.cadre_id = i.cadre_id
				WHERE i.kind = 'reply' AND c.id = ?`, cadreIdent).Scan(&replies); err != nil {
				t.Fatal(err)
			}
			if replies != want {
				t.Errorf("%d reply interactions, want %d", replies, want)
			}
		})
	}
}

// TestRedactDSN: the DSN shown in logs and by Path never carries the password, in either form.
func TestRedactDSN(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"postgres://yl:s3cret@db:5432/yl?sslmode=disable", "postgres://yl:xxxxx@db:5432/yl?sslmode=disable"},
		{"postgres://yl:秘 密@db:5432/yl", "postgres://yl:xxxxx@db:5432/yl"}, // not a valid URL
		{"postgres://yl:a@b@db/yl", "postgres://yl:xxxxx@db/yl"},
		{"postgres://yl@db/yl", "postgres://yl@db/yl"},
		{"host=db user=yl password=秘密 dbname=yl", "host=db user=yl password=xxxxx dbname=yl"},
	} {
		if got := redactDSN(tc.in); got != tc.want {
			t.Errorf("redactDSN(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestMembershipsKeepEventOrder: a batch writes its new memberships together, yet joins, leaves
// and messages take effect in the order they came, within a batch and across batches, and a
// membership keeps the time it began.
func TestMembershipsKeepEventOrder(t *testing.T) {
	notice := func(id, who string, n bot.Notice, at time.Time) bot.Incoming {
		in := msg(id, who, "", at)
		in.Event.Kind, in.Event.Notice = bot.System, n
		return in
	}
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, _, _ := testDB(t, b)
		t0 := db.Now()
		t1, t2 := t0.Add(time.Hour), t0.Add(2*time.Hour)
		batches := [][]bot.Incoming{
			{msg("1", "y1", "大家好", t0), msg("2", "y3", "我也在", t0)},
			{
				notice("3", "y2", bot.NoticeJoin, t1), notice("4", "y2", bot.NoticeLeave, t1), // joins and leaves
				notice("5", "y3", bot.NoticeLeave, t1), msg("6", "y3", "我又回来了", t2), // leaves, is back
				notice("7", "y4", bot.NoticeJoin, t1), notice("8", "y4", bot.NoticeLeave, t1), msg("9", "y4", "我还在", t2),
				notice("10", "y5", bot.NoticeLeave, t1),                             // never a member
				msg("11", "y6", "新来的", t2), notice("12", "y6", bot.NoticeLeave, t2), // speaks, then leaves
				msg("13", "y1", "我一直在", t2),
			},
		}
		for _, batch := range batches {
			if _, err := db.IngestBatch(ctx, batch); err != nil {
				t.Fatal(err)
			}
		}
		type member struct {
			in    bool  // still in the group
			first int64 // first_at
		}
		got := map[string]member{}
		err := db.each(ctx, `SELECT i.user_id, m.left_at IS NULL, m.first_at FROM group_members m JOIN identities i ON i.id = m.identity_id`, nil,
			func(r *sql.Rows) error {
				var id string
				var m member
				if err := r.Scan(&id, &m.in, &m.first); err != nil {
					return err
				}
				got[id] = m
				return nil
			})
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]member{"y1": {true, t0.Unix()}, "y2": {false, t1.Unix()}, "y3": {true, t0.Unix()},
			"y4": {true, t1.Unix()}, "y6": {false, t2.Unix()}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("memberships = %v, want %v", got, want)
		}
	})
}

// TestTallyBesideWriterMatchesOnWriter: a batch of a few steps is counted by the tally beside
// the writer, a batch smaller than a step on the writer itself; the same events, with notices,
// an opted-out youth, private chats, commands, quotes and repeats, leave the same records
// either way, as they did when every batch was counted on the writer.
func TestTallyBesideWriterMatchesOnWriter(t *testing.T) {
	eachBackend(t, testTallyBesideWriterMatchesOnWriter)
}

func testTallyBesideWriterMatchesOnWriter(t *testing.T, bk backend) {
	ctx := context.Background()
	var evs []bot.Incoming
	at := time.Date(2026, 11, 23, 9, 0, 0, 0, period.Zone)
	for i := 0; i < 3*tallyStep+17; i++ {
		y := fmt.Sprint("y", i%23)
		var in bot.Incoming
		switch {
		case i%41 == 7: // a youth joins, or leaves and later comes back
			in = msg(fmt.Sprint("n", i), y, "", at)
			in.Event.Kind, in.Event.Notice = bot.System, bot.NoticeJoin
			if i%2 == 0 {
				in.Event.Notice = bot.NoticeLeave
			}
		case i%53 == 11: // a recall of an earlier message
			in = msg(fmt.Sprint("r", i), y, "", at)
			in.Event.Kind, in.Event.Notice, in.Event.Target = bot.System, bot.NoticeRecall, fmt.Sprint("m", i-3)
		case i%17 == 3: // the cadre @-mentions a youth and quotes an earlier message
			in = msg(fmt.Sprint("m", i), "c1", "@"+y+" 说得好 #就业创业#", at, y)
			in.Event.ReplyTo = fmt.Sprint("m", i-2)
		case i%29 == 5: // a private chat with the bot
			in = msg(fmt.Sprint("p", i), y, "请问入团怎么申请", at)
			in.Event.ChatKind, in.Event.ChatID, in.Event.ChatName = bot.Private, y, ""
		case i%31 == 9:
			in = msg(fmt.Sprint("m", i), y, "/帮助", at)
		case i%37 == 13: // a repeat of an earlier message
			in = evs[i-5]
		default:
			in = msg(fmt.Sprint("m", i), y, fmt.Sprint("周末志愿服务第", i%4, "队集合"), at, fmt.Sprint("y", (i+1)%23))
			in.Topics = bot.Topics{Keywords: []string{"志愿", fmt.Sprint("队", i%4)}}
		}
		in.Live = i%2 == 0
		evs = append(evs, in)
		at = at.Add(37 * time.Second)
	}
	dump := func(batches [][]bot.Incoming) map[string][]string {
		db, _, _ := testDB(t, bk)
		y5, err := db.Identity(ctx, bot.QQ, bot.User{ID: "y5"})
		if err != nil {
			t.Fatal(err)
		}
		if err := db.OptOut(ctx, y5); err != nil {
			t.Fatal(err)
		}
		db.DeferRollups(time.Hour)
		var stored []string
		for _, b := range batches {
			sts, err := db.IngestBatch(ctx, b)
			if err != nil {
				t.Fatal(err)
			}
			for _, st := range sts {
				stored = append(stored, fmt.Sprintf("%+v", st))
			}
		}
		if err := db.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		out := rollupTables(t, db)
		out["stored"] = stored
		for _, q := range []string{
			`SELECT platform, chat_id, msg_id, group_id, sender_id, kind, text, reply_to, sent_at, recalled FROM messages ORDER BY id`,
			`SELECT cadre_id, youth_id, kind, at, day, group_id, message_id FROM interactions ORDER BY id`,
			`SELECT group_id, identity_id, first_at, left_at FROM group_members ORDER BY group_id, identity_id`,
			`SELECT id, user_id, name, opted_out, first_at FROM identities ORDER BY id`,
			`SELECT message_id, stored FROM unhandled ORDER BY message_id`,
		} {
			out[q] = queryRows(t, db, q)
		}
		return out
	}
	var one [][]bot.Incoming
	for _, in := range evs {
		one = append(one, []bot.Incoming{in})
	}
	beside, onWriter := dump([][]bot.Incoming{evs}), dump(one)
	if len(beside["interaction_daily"]) == 0 || len(beside["group_members"]) == 0 || len(beside[`SELECT message_id, stored FROM unhandled ORDER BY message_id`]) == 0 {
		t.Fatalf("the events counted nothing: %v", beside)
	}
	for k, want := range onWriter {
		if got := beside[k]; !slices.Equal(got, want) {
			t.Errorf("%s differs:\n one batch:      %v\n one per batch:  %v", k, got, want)
		}
	}
}

// TestTallyEndsWithAFailedBatch: when a message row cannot be written, at the start, the middle
// or the end of a batch larger than a step or smaller (one with a late quote), the batch fails
// whole, with its reason, and leaves nothing behind: no rows, no tally still running; the same
// batch then goes in once storage works again.
func TestTallyEndsWithAFailedBatch(t *testing.T) {
	ctx := context.Background()
	for _, n := range []int{10, 3*tallyStep + 1} {
		for _, bad := range []int{0, n / 2, n - 1} {
			t.Run(fmt.Sprint(n, "/", bad), func(t *testing.T) {
				db, _, _ := testDB(t, backendList[0])
				at := db.Now()
				batch := make([]bot.Incoming, n)
				for i := range batch {
					batch[i] = msg(fmt.Sprint("m", i), fmt.Sprint("y", i%7), "聊天", at.Add(time.Duration(i)*time.Second), "c1")
				}
				batch[1].Event.Sender.ID, batch[1].Event.ReplyTo = "c1", fmt.Sprint("m", n-1) // a late quote
				if _, err := db.w.ExecContext(ctx, fmt.Sprintf(`CREATE TRIGGER refuse BEFORE INSERT ON messages
					WHEN NEW.msg_id = 'm%d' BEGIN SELECT RAISE(ABORT, '磁盘已满'); END`, bad)); err != nil {
					t.Fatal(err)
				}
				before := runtime.NumGoroutine()
				if _, err := db.IngestBatch(ctx, batch); err == nil || !strings.Contains(err.Error(), "磁盘已满") {
					t.Fatalf("IngestBatch = %v, want the refusal", err)
				}
				for i := 0; runtime.NumGoroutine() > before; i++ {
					if i == 100 {
						t.Fatalf("%d goroutines after the failed batch, %d before: a tally outlived it", runtime.NumGoroutine(), before)
					}
					time.Sleep(10 * time.Millisecond)
				}
				var rows int
				if err := db.r.QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM interactions) +
					(SELECT COUNT(*) FROM group_members)`).Scan(&rows); err != nil || rows != 0 {
					t.Fatalf("%d rows left behind (%v)", rows, err)
				}
				if _, err := db.w.ExecContext(ctx, `DROP TRIGGER refuse`); err != nil {
					t.Fatal(err)
				}
				sts, err := db.IngestBatch(ctx, batch)
				if err != nil {
					t.Fatal(err)
				}
				if sts[1].ReplyToID == 0 {
					t.Error("the late quote was not found on the second try")
				}
				if got := settledInteractions(t, db); got != n {
					t.Errorf("%d interactions, want %d: each youth's mention of the cadre, and the cadre's quote", got, n)
				}
			})
		}
	}
}

// TestReadersStayOpen: once as many reads as there are reader connections have run at once, the
// connections stay open for the next reads; none is closed for want of an idle slot.
func TestReadersStayOpen(t *testing.T) {
	db := backendList[0].open(t)
	ctx := context.Background()
	for round := 0; round < 3; round++ {
		var open []*sql.Rows
		for range readers {
			rows, err := db.r.QueryContext(ctx, `SELECT id FROM committees`)
			if err != nil {
				t.Fatal(err)
			}
			open = append(open, rows) // held, so that each read takes a connection of its own
		}
		for _, rows := range open {
			rows.Close()
		}
	}
	if st := db.r.Stats(); st.OpenConnections != readers || st.MaxIdleClosed != 0 {
		t.Errorf("reader pool: %d open, %d closed for want of an idle slot; want %d open, none closed",
			st.OpenConnections, st.MaxIdleClosed, readers)
	}
}
