package storage

// The storage contract: every test that takes a backend runs on SQLite and on PostgreSQL (the
// latter when YOUTHLINK_TEST_PG_DSN names a server; see package pgtest).

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/counting"
	"youthlink/period"
	"youthlink/storage/pgtest"
)

// backend opens fresh databases of one kind. reopen opens a second handle on the database of
// the first (as a second process would).
type backend struct {
	name string
	open func(t testing.TB) *DB
}

// reopen opens another handle on db's database.
func (b backend) reopen(t testing.TB, db *DB) *DB {
	t.Helper()
	var (
		other *DB
		err   error
	)
	if db.dialect.postgres {
		dsn, _ := pgDSNs.Load(db)
		other, err = OpenPostgres(context.Background(), dsn.(string))
	} else {
		other, err = Open(context.Background(), db.Path())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { other.Close() })
	other.Now = db.Now
	return other
}

var backendList = []backend{
	{"sqlite", func(t testing.TB) *DB {
		db, err := Open(context.Background(), filepath.Join(t.TempDir(), "test.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}},
	{"postgres", func(t testing.TB) *DB {
		dsn := pgtest.DSN(t)
		db, err := OpenPostgres(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		pgDSNs.Store(db, dsn)
		t.Cleanup(func() { db.Close(); pgDSNs.Delete(db) })
		return db
	}},
}

// pgDSNs remembers the DSN each PostgreSQL test database was opened with, for reopen.
var pgDSNs sync.Map

// eachBackend runs f as a subtest per backend.
func eachBackend(t *testing.T, f func(t *testing.T, b backend)) {
	for _, b := range backendList {
		t.Run(b.name, func(t *testing.T) { f(t, b) })
	}
}

// must returns v, failing the test given to the function it returns when err is not nil.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// must2 is must for functions returning two values and an error.
func must2[A, B any](a A, b B, err error) func(testing.TB) (A, B) {
	return func(t testing.TB) (A, B) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return a, b
	}
}

// TestSchemasMatch holds migrations/ (SQLite) and migrations_pg/ (PostgreSQL) to the same
// tables and columns.
func TestSchemasMatch(t *testing.T) {
	ctx := context.Background()
	lite := backendList[0].open(t)
	pgtest.Require(t)
	pg := backendList[1].open(t)
	cols := func(db *DB, q string) map[string][]string {
		out := map[string][]string{}
		err := db.each(ctx, q, nil, func(r *sql.Rows) error {
			var table, col string
			if err := r.Scan(&table, &col); err != nil {
				return err
			}
			out[table] = append(out[table], col)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range out {
			sort.Strings(c)
		}
		return out
	}
	a := cols(lite, `SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'`) // sqlite_sequence is SQLite's own (AUTOINCREMENT)
	b := cols(pg, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema()`)
	if len(a) < 20 {
		t.Fatalf("only %d SQLite tables read", len(a))
	}
	if !reflect.DeepEqual(a, b) {
		for table := range a {
			if !reflect.DeepEqual(a[table], b[table]) {
				t.Errorf("table %s: sqlite %v, postgres %v", table, a[table], b[table])
			}
		}
		for table := range b {
			if _, ok := a[table]; !ok {
				t.Errorf("table %s only on postgres", table)
			}
		}
	}
}

func TestContractRosterAndBind(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, ident := testDB(t, b)
		err := db.ApplyRoster(ctx, Roster{
			Committees: []RosterCommittee{{Name: "县团委", Parent: "团市委", Level: "county"}, {Name: "乡团委", Parent: "县团委"}},
			Cadres:     []RosterCadre{{Name: "李华", Committee: "县团委", Kind: "part_time", Target: 10}},
			Groups:     []RosterGroup{{Platform: bot.QQ, Name: "青年二群", Cadre: "李华"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		r := must(db.RosterNow(ctx))(t)
		if got, want := fmt.Sprint(r.Committees), "[{团市委  city} {县团委 团市委 county} {乡团委 县团委 }]"; got != want {
			t.Fatalf("committees %s, want %s", got, want)
		}
		if got, want := fmt.Sprint(r.Groups), "[{qq 青年二群 李华}]"; got != want {
			t.Fatalf("groups %s, want %s", got, want)
		}
		var probs RosterProblems
		err = db.ApplyRoster(ctx, Roster{Cadres: []RosterCadre{{Name: "赵六", Committee: "不存在", Kind: "part_time", Target: 10}}})
		if !errors.As(err, &probs) || len(probs) != 1 || probs[0].Field != "committee" {
			t.Fatalf("bad roster: %v", err)
		}
		if _, err := db.CadreByName(ctx, "赵六"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("a refused roster stored a cadre: %v", err)
		}
		// bind codes: used once, unknown refused
		li := must(db.CadreByName(ctx, "李华"))(t)
		code := must(db.NewBindCode(ctx, "李华", time.Hour))(t)
		y := mustIdentity(t, db, "c2")
		if c, err := db.Bind(ctx, code, y); err != nil || c.ID != li.ID {
			t.Fatalf("bind = %v, %v", c, err)
		}
		if _, err := db.Bind(ctx, code, y); !errors.Is(err, ErrUsedCode) {
			t.Fatalf("second use: %v", err)
		}
		if _, err := db.Bind(ctx, "000000", y); !errors.Is(err, ErrBadCode) {
			t.Fatalf("unknown code: %v", err)
		}
		if u, ok, err := db.CadreContact(ctx, cadre, bot.QQ); err != nil || !ok || u.ID != "c1" {
			t.Fatalf("cadre contact = %v %v %v (identity %d)", u, ok, err, ident)
		}
		// group registration: a second cadre is refused with the first one's name
		gs := must(db.GroupsByName(ctx, bot.QQ, "青年二群"))(t)
		var taken *TakenError
		if _, _, err := db.RegisterGroup(ctx, gs[0].ID, cadre); !errors.As(err, &taken) || taken.Cadre != "李华" {
			t.Fatalf("register taken group: %v", err)
		}
		if already, _, err := db.RegisterGroup(ctx, gs[0].ID, li.ID); err != nil || !already {
			t.Fatalf("re-register = %v, %v", already, err)
		}
	})
}

func TestContractQuestions(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, _ := testDB(t, b)
		y := mustIdentity(t, db, "y1")
		chat := bot.Chat{Platform: bot.QQ, Kind: bot.Group, ID: "g1"}
		q := Question{Chat: chat, MsgID: "m1", Asker: y, Cadre: cadre, Text: "入团要什么材料？", Status: "open", Reason: "知识库没有", AskedAt: db.Now()}
		id := must(db.AddQuestion(ctx, q))(t)
		if id == 0 {
			t.Fatal("no question id")
		}
		if again := must(db.AddQuestion(ctx, q))(t); again != 0 {
			t.Fatalf("the same question stored twice (id %d)", again)
		}
		open := must(db.OpenQuestions(ctx, cadre))(t)
		if len(open) != 1 || open[0].ID != id || open[0].Text != q.Text {
			t.Fatalf("open questions %+v", open)
		}
		if got := must(db.QuestionByMessage(ctx, bot.QQ, "g1", "m1"))(t); got.ID != id {
			t.Fatalf("by message: %+v", got)
		}
		if ok := must(db.AnswerQuestion(ctx, id, cadre, "带上身份证", db.Now()))(t); !ok {
			t.Fatal("answer refused")
		}
		if ok := must(db.AnswerQuestion(ctx, id, cadre, "再答一次", db.Now()))(t); ok {
			t.Fatal("an answered question answered again")
		}
		if _, err := db.OpenQuestion(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Fatalf("answered question still open: %v", err)
		}
		f := must(db.Facts(ctx, period.QuarterOf(db.Now()), cadre))(t)[cadre]
		if f.ByKind[counting.Answer] != 1 || f.Reached != 1 {
			t.Fatalf("facts after the answer: %+v", f)
		}
		for range 2 {
			if err := db.AddUsage(ctx, db.Now(), cadre, 0, y, 100, 20, 0.5); err != nil {
				t.Fatal(err)
			}
		}
		var prompt int
		var cost float64
		if err := db.r.QueryRowContext(ctx, `SELECT prompt_tokens, cost FROM llm_usage WHERE asker_id = ?`, y).Scan(&prompt, &cost); err != nil {
			t.Fatal(err)
		}
		if prompt != 200 || cost != 1 {
			t.Fatalf("usage %d tokens %v cost, want 200 and 1", prompt, cost)
		}
		if err := recount(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}

// TestContractQuestionsWaitForCadre: the open questions asked in a group before it had a cadre go
// to the cadre the group gets, by /登记本群 or by the roster; other questions stay as they were.
func TestContractQuestionsWaitForCadre(t *testing.T) {
	cases := []struct {
		name   string
		assign func(ctx context.Context, db *DB, group, cadre int64) (waiting int, err error) // waiting -1: not reported
	}{
		{"register", func(ctx context.Context, db *DB, group, cadre int64) (int, error) {
			_, n, err := db.RegisterGroup(ctx, group, cadre)
			return n, err
		}},
		{"roster", func(ctx context.Context, db *DB, _, _ int64) (int, error) {
			return -1, db.ApplyRoster(ctx, Roster{Groups: []RosterGroup{{Platform: bot.QQ, Name: "青年一群", Cadre: "王小明"}}})
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			eachBackend(t, func(t *testing.T, b backend) {
				ctx := context.Background()
				db, cadre, _ := testDB(t, b)
				other := msg("m0", "y2", "大家好", db.Now())
				other.Event.ChatID, other.Event.ChatName = "g2", "青年二群"
				must(db.IngestBatch(ctx, []bot.Incoming{msg("m1", "y1", "大家好", db.Now()), other}))(t)
				g1 := must(db.GroupsByName(ctx, bot.QQ, "青年一群"))(t)[0].ID
				g2 := must(db.GroupsByName(ctx, bot.QQ, "青年二群"))(t)[0].ID
				y := mustIdentity(t, db, "y1")
				ask := func(group int64, chat, id, status string) {
					must(db.AddQuestion(ctx, Question{Chat: bot.Chat{Platform: bot.QQ, Kind: bot.Group, ID: chat}, MsgID: id,
						GroupID: group, Asker: y, Text: "入团需要什么条件？", Status: status, AskedAt: db.Now()}))(t)
				}
				ask(g1, "g1", "q1", "open")
				ask(g1, "g1", "q2", "open")
				ask(g1, "g1", "q3", "answered_by_bot")
				ask(g2, "g2", "q4", "open")
				if n, err := tc.assign(ctx, db, g1, cadre); err != nil || n != 2 && n != -1 {
					t.Fatalf("assign = %d, %v; want 2 waiting", n, err)
				}
				open := must(db.OpenQuestions(ctx, cadre))(t)
				if len(open) != 2 || open[0].MsgID != "q1" || open[1].MsgID != "q2" {
					t.Fatalf("the cadre's open questions %+v, want q1 and q2", open)
				}
				if f := must(db.Facts(ctx, period.QuarterOf(db.Now()), cadre))(t)[cadre]; f.OpenQuestions != 2 {
					t.Fatalf("open questions in the record = %d, want 2", f.OpenQuestions)
				}
				if q := must(db.QuestionByMessage(ctx, bot.QQ, "g2", "q4"))(t); q.Cadre != 0 {
					t.Fatalf("a question of another group went to cadre %d", q.Cadre)
				}
			})
		})
	}
}

func TestContractOutbox(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, _, _ := testDB(t, b)
		chat := bot.Chat{Platform: bot.QQ, Kind: bot.Group, ID: "g1"}
		m := bot.Outgoing{Key: "digest|2026-W48|g1", Chat: chat, Text: "周报", Mention: []bot.User{{ID: "y1", Name: "甲"}}}
		id, dup, err := db.AddOutgoing(ctx, m)
		if err != nil || dup || id == 0 {
			t.Fatalf("add = %d %v %v", id, dup, err)
		}
		if _, dup, err := db.AddOutgoing(ctx, m); err != nil || !dup {
			t.Fatalf("same key again: dup %v, %v", dup, err)
		}
		id2, _, err := db.AddOutgoing(ctx, bot.Outgoing{Chat: chat, Text: "回复"})
		if err != nil {
			t.Fatal(err)
		}
		due := must(db.DueOutgoing(ctx, db.Now(), 10))(t)
		if len(due) != 2 || due[0].ID != id || due[0].Mention[0].ID != "y1" {
			t.Fatalf("due %+v", due)
		}
		if err := db.MarkOutgoing(ctx, id, bot.SendResult{Status: "sent", Attempts: 1, PlatformID: "p1"}); err != nil {
			t.Fatal(err)
		}
		if err := db.MarkOutgoing(ctx, id2, bot.SendResult{Status: "retry", Attempts: 1, Next: db.Now().Add(time.Minute), Err: "限流"}); err != nil {
			t.Fatal(err)
		}
		if at, ok := must2(db.NextDue(ctx, db.Now()))(t); !ok || at.Unix() != db.Now().Add(time.Minute).Unix() {
			t.Fatalf("next due = %v %v, want the retry a minute on", at, ok)
		}
		if at, ok := must2(db.NextDue(ctx, db.Now().Add(2*time.Minute)))(t); ok {
			t.Fatalf("next due after the retry's time = %v: a message due by then is not \"next\"", at)
		}
		if due := must(db.DueOutgoing(ctx, db.Now(), 10))(t); len(due) != 0 {
			t.Fatalf("due before the retry time: %+v", due)
		}
		if due := must(db.DueOutgoing(ctx, db.Now().Add(2*time.Minute), 10))(t); len(due) != 1 || due[0].Attempts != 1 {
			t.Fatalf("due after the retry time: %+v", due)
		}
		if err := db.MarkOutgoing(ctx, id2, bot.SendResult{Status: "failed", Attempts: 2, Err: "封号"}); err != nil {
			t.Fatal(err)
		}
		if got := must(db.OutboxCounts(ctx))(t); got["sent"] != 1 || got["failed"] != 1 || got["pending"] != 0 {
			t.Fatalf("counts %v", got)
		}
		if _, ok := must2(db.NextDue(ctx, db.Now()))(t); ok {
			t.Fatal("next due with nothing pending")
		}
		if got := must(db.SentTexts(ctx, "g1"))(t); fmt.Sprint(got) != "[周报]" {
			t.Fatalf("sent texts %v", got)
		}
	})
}

// TestContractOutboxClaims: two processes sharing a store never both send one message (the
// claim is taken once; a claim lapses after its lease), and on PostgreSQL each lists only the
// messages of the bot accounts it has received messages on.
func TestContractOutboxClaims(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		a, _, _ := testDB(t, b)
		other := b.reopen(t, a)
		now := a.Now()
		in := func(id, account string) []bot.Incoming {
			m := msg(id, "y1", "你好", now)
			m.Event.Account = account
			return []bot.Incoming{m}
		}
		if _, err := a.IngestBatch(ctx, in("1", "bot-a")); err != nil {
			t.Fatal(err)
		}
		if _, err := other.IngestBatch(ctx, in("2", "bot-b")); err != nil {
			t.Fatal(err)
		}
		add := func(account, text string) int64 {
			id, _, err := a.AddOutgoing(ctx, bot.Outgoing{Chat: bot.Chat{Platform: bot.QQ, Account: account, Kind: bot.Group, ID: "g1"}, Text: text})
			if err != nil {
				t.Fatal(err)
			}
			return id
		}
		forA, forB := add("bot-a", "甲"), add("bot-b", "乙")
		ids := func(db *DB) []int64 {
			var out []int64
			for _, m := range must(db.DueOutgoing(ctx, now, 10))(t) {
				out = append(out, m.ID)
			}
			return out
		}
		wantA, wantB := []int64{forA, forB}, []int64{forA, forB}
		if a.dialect.postgres {
			wantA, wantB = []int64{forA}, []int64{forB}
		}
		if got := ids(a); !reflect.DeepEqual(got, wantA) {
			t.Fatalf("process a lists %v, want %v", got, wantA)
		}
		if got := ids(other); !reflect.DeepEqual(got, wantB) {
			t.Fatalf("process b lists %v, want %v", got, wantB)
		}
		// both try to claim a's message at once: exactly one wins
		var wg sync.WaitGroup
		wins, errs := make([]bool, 2), make([]error, 2)
		for i, db := range []*DB{a, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				wins[i], errs[i] = db.ClaimOutgoing(ctx, forA, now)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			t.Fatal(err)
		}
		if wins[0] == wins[1] {
			t.Fatalf("claims %v, want exactly one", wins)
		}
		if got := ids(a); slices.Contains(got, forA) {
			t.Fatalf("a claimed message is listed again: %v", got)
		}
		// the claimer died before sending: after the lease the message is due again
		if got := must(a.DueOutgoing(ctx, now.Add(claimLease), 10))(t); len(got) == 0 || got[0].ID != forA {
			t.Fatalf("after the lease: %+v", got)
		}
		if !must(a.ClaimOutgoing(ctx, forA, now.Add(claimLease)))(t) {
			t.Fatal("an expired claim could not be taken again")
		}
	})
}

// TestContractUnhandled: a live event that needs handling is kept with what was stored of it
// until Handled; imported events and plain chatter are not kept.
func TestContractUnhandled(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, _, _ := testDB(t, b)
		at := db.Now()
		live := func(m bot.Incoming) bot.Incoming { m.Live = true; return m }
		sts, err := db.IngestBatch(ctx, []bot.Incoming{
			live(msg("u1", "y1", "/台账", at)), // a command from the engine: kept
			live(msg("u2", "y1", "大家好", at)), // chatter: not kept
			msg("u3", "y1", "/排行", at),       // an imported command: not kept
		})
		if err != nil {
			t.Fatal(err)
		}
		got := must(db.Unhandled(ctx))(t)
		if len(got) != 1 || got[0].Event.MsgID != "u1" || got[0].Event.Text != "/台账" || got[0].Stored != sts[0] ||
			!got[0].Event.Time.Equal(at) {
			t.Fatalf("unhandled = %+v, want the live command with its stored row %+v", got, sts[0])
		}
		if err := db.Handled(ctx, sts[0].MessageID); err != nil {
			t.Fatal(err)
		}
		if got := must(db.Unhandled(ctx))(t); len(got) != 0 {
			t.Fatalf("after Handled: %+v", got)
		}
		// the row itself goes with the next transaction
		if err := db.Settle(ctx); err != nil {
			t.Fatal(err)
		}
		var rows int
		if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM unhandled`).Scan(&rows); err != nil || rows != 0 {
			t.Fatalf("journal rows after a settle: %d (%v)", rows, err)
		}
		// a replay of the command is a duplicate: nothing to handle again
		if _, err := db.IngestBatch(ctx, []bot.Incoming{live(msg("u1", "y1", "/台账", at))}); err != nil {
			t.Fatal(err)
		}
		if got := must(db.Unhandled(ctx))(t); len(got) != 0 {
			t.Fatalf("a replay was kept for handling: %+v", got)
		}
	})
}

func TestContractJobRuns(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, _, _ := testDB(t, b)
		other := b.reopen(t, db)
		if _, ok, err := db.JobRun(ctx, "digest", "2026-W48", "file"); err != nil || ok {
			t.Fatalf("a run that never happened: %v %v", ok, err)
		}
		r := JobRun{Job: "digest", Period: "2026-W48", Destination: "file", Attempts: 1}
		// two processes claim the first attempt at once: exactly one wins
		var wins int
		var mu sync.Mutex
		var wg sync.WaitGroup
		for _, h := range []*DB{db, other, db, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := h.ClaimJobRun(ctx, r)
				if err != nil {
					t.Error(err)
				}
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if wins != 1 {
			t.Fatalf("%d claims of one attempt won, want 1", wins)
		}
		r.Status, r.Err = "failed", "网络错误"
		if err := db.RecordJobRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		if ok := must(other.ClaimJobRun(ctx, r))(t); ok {
			t.Fatal("attempt 1 claimed again after it failed")
		}
		r.Attempts = 2
		if ok := must(other.ClaimJobRun(ctx, r))(t); !ok {
			t.Fatal("attempt 2 not claimed")
		}
		r.Status, r.Err = "sent", ""
		if err := other.RecordJobRun(ctx, r); err != nil {
			t.Fatal(err)
		}
		r.Attempts = 3
		if ok := must(db.ClaimJobRun(ctx, r))(t); ok {
			t.Fatal("a sent delivery claimed again")
		}
		got, at, ok, err := db.JobRunAt(ctx, "digest", "2026-W48", "file")
		if err != nil || !ok || got.Status != "sent" || got.Attempts != 2 || !at.Equal(db.Now().Truncate(time.Second)) {
			t.Fatalf("run %+v at %v ok %v err %v", got, at, ok, err)
		}
	})
}

func TestContractActivities(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, c1 := testDB(t, b)
		y1, y2, y3 := mustIdentity(t, db, "y1"), mustIdentity(t, db, "y2"), mustIdentity(t, db, "y3")
		if err := db.OptOut(ctx, y3); err != nil {
			t.Fatal(err)
		}
		day := db.Now()
		id := must(db.LogActivity(ctx, Activity{Cadre: cadre, Kind: "offline", Title: "植树", Day: day, Participants: []int64{y1, y2, y3, c1}}))(t)
		// a talk logged from message 77, then that message handled again (after a crash): one talk
		talk := Activity{Cadre: cadre, Kind: "face_to_face", Title: "谈心", Day: day, Participants: []int64{y1}, MessageID: 77}
		first := must(db.LogActivity(ctx, talk))(t)
		if again := must(db.LogActivity(ctx, talk))(t); again != first {
			t.Fatalf("the same message logged activity %d, then %d", first, again)
		}
		acts := must(db.Activities(ctx, cadre, period.QuarterOf(day)))(t)
		if len(acts) != 2 || len(acts[1].Participants) != 4 || acts[1].ID != id {
			t.Fatalf("activities %+v", acts)
		}
		if got := must(db.ActivityParticipants(ctx, id))(t); len(got) != 4 {
			t.Fatalf("participants %v", got)
		}
		f := must(db.Facts(ctx, period.QuarterOf(day), cadre))(t)[cadre]
		if f.ByKind[counting.Activity] != 2 || f.ByKind[counting.FaceToFace] != 1 || f.FaceToFace != 1 || f.Reached != 2 ||
			f.Activities["offline"] != 1 || f.Activities["face_to_face"] != 1 {
			t.Fatalf("facts %+v", f)
		}
		if err := recount(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}

// TestContractQueries ingests a small week and reads it back through every query the digest,
// the records and the dashboard use.
func TestContractQueries(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, _ := testDB(t, b)
		at := db.Now()
		in := []bot.Incoming{
			msg("1", "y1", "求职简历怎么写", at),
			msg("2", "c1", "@y1 周末来团委 #就业#", at.Add(time.Minute), "y1"),
			msg("3", "y2", "@小明 我也想来", at.Add(2*time.Minute), "c1"),
			msg("4", "c1", "@y2 好的", at.Add(3*time.Minute), "y2"),
		}
		in[0].Topics = bot.Topics{Topics: []string{"就业"}, Keywords: []string{"简历"}}
		in[1].Topics = bot.Topics{Topics: []string{"就业"}, Tags: []string{"就业"}, Keywords: []string{"团委"}}
		if _, err := db.IngestBatch(ctx, in); err != nil {
			t.Fatal(err)
		}
		week := period.WeekOf(at)
		if got := must(db.ReachedByCadre(ctx, week))(t); got[cadre] != 2 {
			t.Fatalf("reached by cadre %v", got)
		}
		if got := must(db.InteractionsByCadre(ctx, week))(t); got[cadre] != 3 {
			t.Fatalf("interactions by cadre %v", got)
		}
		g := must(db.GroupsByName(ctx, bot.QQ, "青年一群"))(t)[0]
		if got := must(db.GroupMessages(ctx, []int64{g.ID}, week.From, week.To))(t); got[g.ID] != 4 {
			t.Fatalf("group messages %v", got)
		}
		wc := must(db.WeeklyContact(ctx, []int64{cadre}, week.From, week.From))(t)
		if len(wc) != 1 || wc[0].Reached != 2 || wc[0].Interactions != 3 {
			t.Fatalf("weekly contact %+v", wc)
		}
		reach := must(db.Reached(ctx, cadre, week))(t)
		if len(reach) != 2 || reach[0].Youth != "name-y2" || reach[0].Interactions != 2 {
			t.Fatalf("reached %+v", reach)
		}
		ev := must(db.Evidence(ctx, cadre, week, counting.Mention, 10))(t)
		if len(ev) != 3 || ev[0].Text != "@y2 好的" || ev[0].Group != "青年一群" {
			t.Fatalf("evidence %+v", ev)
		}
		if ev := must(db.Evidence(ctx, cadre, week, "", 1))(t); len(ev) != 1 {
			t.Fatalf("evidence with a limit: %+v", ev)
		}
		posts := must(db.CadrePosts(ctx, cadre, week, true, 10))(t)
		if len(posts) != 1 || !strings.Contains(posts[0].Text, "#就业#") {
			t.Fatalf("tagged posts %+v", posts)
		}
		if all := must(db.CadrePosts(ctx, cadre, week, false, 10))(t); len(all) != 2 {
			t.Fatalf("posts %+v", all)
		}
		topics, keywords, err := db.TopTopics(ctx, []int64{g.ID}, week.Name, week.Name, 5)
		if err != nil || fmt.Sprint(topics) != "[{就业 2}]" || len(keywords) != 2 {
			t.Fatalf("topics %v keywords %v %v", topics, keywords, err)
		}
		st := must(db.GroupStats(ctx, g, week.From, week.To, 5))(t)
		if st.Messages != 4 || len(st.Members) != 3 || st.Members[0].ID != "c1" || st.Members[0].Messages != 2 {
			t.Fatalf("group stats %+v", st)
		}
		f := must(db.Facts(ctx, week, cadre))(t)[cadre]
		if f.Messages != 2 || f.TagPosts != 1 || f.Reached != 2 {
			t.Fatalf("facts %+v", f)
		}
		if n := must(db.MessageCount(ctx))(t); n != 4 {
			t.Fatalf("message count %d", n)
		}
		if miss := must(db.MissingMessages(ctx, bot.QQ, map[string]bool{"1": true, "9": true}))(t); fmt.Sprint(miss) != "[9]" {
			t.Fatalf("missing %v", miss)
		}
		if ok := must(db.IntegrityCheck(ctx))(t); ok != "ok" {
			t.Fatalf("integrity %q", ok)
		}
	})
}

func TestContractErase(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, _ := testDB(t, b)
		at := db.Now()
		if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("1", "y1", "你好", at), msg("2", "c1", "@y1 欢迎", at, "y1")}); err != nil {
			t.Fatal(err)
		}
		y1 := mustIdentity(t, db, "y1")
		if ids := must(db.IdentityByName(ctx, bot.QQ, "name-y1"))(t); len(ids) != 1 {
			t.Fatalf("by name before erase: %v", ids)
		}
		if err := db.Erase(ctx, y1); err != nil {
			t.Fatal(err)
		}
		if ids := must(db.IdentityByName(ctx, bot.QQ, "name-y1"))(t); len(ids) != 0 {
			t.Fatalf("erased youth still found by name: %v", ids)
		}
		if n := must(db.IdentityName(ctx, y1))(t); n != "" {
			t.Fatalf("erased name %q", n)
		}
		f := must(db.Facts(ctx, period.QuarterOf(at), cadre))(t)[cadre]
		if f.Reached != 0 || f.Roster != 0 {
			t.Fatalf("erased youth still counted: %+v", f)
		}
		// a replay of the erased youth's message changes nothing
		sts := must(db.IngestBatch(ctx, []bot.Incoming{msg("1", "y1", "你好", at)}))(t)
		if sts[0].New {
			t.Fatal("erased youth's message stored again")
		}
		if err := recount(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}

func TestContractWebUsers(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, _, _ := testDB(t, b)
		cm := must(db.Committees(ctx))(t)[0]
		id := must(db.AddWebUser(ctx, WebUser{Name: "admin", Committee: cm.ID, Hash: "h1", Admin: true}))(t)
		if _, err := db.AddWebUser(ctx, WebUser{Name: "admin", Committee: cm.ID, Hash: "h2"}); !errors.Is(err, ErrExists) {
			t.Fatalf("duplicate account: %v", err)
		}
		if err := db.SetWebPassword(ctx, "admin", "h3"); err != nil {
			t.Fatal(err)
		}
		u := must(db.WebUserByName(ctx, "admin"))(t)
		if u.ID != id || !u.Admin || u.Hash != "h3" {
			t.Fatalf("user %+v", u)
		}
		if err := db.SetWebPassword(ctx, "nobody", "x"); !errors.Is(err, ErrNotFound) {
			t.Fatalf("unknown account: %v", err)
		}
	})
}

// TestContractConcurrentIngest has two handles on one database (two processes, as two bot
// accounts in the same groups are) ingest the same messages at once, in different orders and
// batches: each message is stored and counted once, and the rollups equal a recount.
func TestContractConcurrentIngest(t *testing.T) {
	eachBackend(t, func(t *testing.T, b backend) {
		ctx := context.Background()
		db, cadre, _ := testDB(t, b)
		other := b.reopen(t, db)
		at := db.Now()
		var in []bot.Incoming
		for i := range 400 {
			y := fmt.Sprint("y", i%37)
			if i%3 == 0 {
				in = append(in, msg(fmt.Sprint(i), "c1", "@"+y+" 你好", at.Add(time.Duration(i)*time.Second), y))
			} else {
				in = append(in, msg(fmt.Sprint(i), y, "大家好", at.Add(time.Duration(i)*time.Second), "c1"))
			}
			in[i].Topics = bot.Topics{Keywords: []string{fmt.Sprint("词", i%11)}}
		}
		rev := make([]bot.Incoming, len(in))
		for i := range in {
			rev[len(in)-1-i] = in[i]
		}
		var wg sync.WaitGroup
		var news [2]int
		for k, h := range []*DB{db, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				src, size := in, 7
				if k == 1 {
					src, size = rev, 13
				}
				for i := 0; i < len(src); i += size {
					sts, err := h.IngestBatch(ctx, src[i:min(i+size, len(src))])
					if err != nil {
						t.Error(err)
						return
					}
					for _, s := range sts {
						if s.New {
							news[k]++
						}
					}
				}
			}()
		}
		wg.Wait()
		if news[0]+news[1] != len(in) {
			t.Fatalf("new messages %d + %d, want %d in all", news[0], news[1], len(in))
		}
		if n := must(db.MessageCount(ctx))(t); n != int64(len(in)) {
			t.Fatalf("messages %d, want %d", n, len(in))
		}
		if err := recount(ctx, db); err != nil {
			t.Fatal(err)
		}
		// the same messages through one handle give the same figures
		ref, refCadre, _ := testDB(t, backendList[0])
		if _, err := ref.IngestBatch(ctx, in); err != nil {
			t.Fatal(err)
		}
		week := period.WeekOf(at)
		got, want := must(db.Facts(ctx, week, cadre))(t)[cadre], must(ref.Facts(ctx, week, refCadre))(t)[refCadre]
		if got.Reached != want.Reached || fmt.Sprint(got.ByKind) != fmt.Sprint(want.ByKind) || got.Messages != want.Messages || want.Reached != 37 {
			t.Fatalf("facts after concurrent ingest %+v, single ingest %+v", got, want)
		}
		g := must(db.GroupsByName(ctx, bot.QQ, "青年一群"))(t)
		rg := must(ref.GroupsByName(ctx, bot.QQ, "青年一群"))(t)
		if len(g) != 1 {
			t.Fatalf("groups %+v", g)
		}
		gs, rs := must(db.GroupStats(ctx, g[0], week.From, week.To, 20))(t), must(ref.GroupStats(ctx, rg[0], week.From, week.To, 20))(t)
		gs.Group, rs.Group = Group{}, Group{}
		if !reflect.DeepEqual(gs, rs) {
			t.Fatalf("group stats after concurrent ingest\n%+v\nsingle ingest\n%+v", gs, rs)
		}
	})
}
