package storage

import (
	"context"
	"errors"
	"fmt"
	"math"
	"reflect"
	"testing"
	"time"

	"youthlink/bot"
)

func sampleDeltas() *deltas {
	d := newDeltas()
	d.inter[interKey{cadre: 1, youth: 7, day: "2026-11-23", kind: "mention"}] = 3
	d.inter[interKey{cadre: 2, youth: 8, day: "2026-11-24", kind: "reply"}] = 1
	d.member[memberKey{group: 5, ident: 7, day: "2026-11-23"}] = &memberAgg{messages: 4, inter: 2, first: 100, last: 900}
	d.member[memberKey{group: 5, ident: 9, day: "2026-11-23"}] = &memberAgg{inter: 1, first: math.MaxInt64}
	d.cadre[cadreKey{cadre: 1, day: "2026-11-23"}] = &[2]int{6, 1}
	d.topic[weekKey{group: 5, week: "2026-W48", word: "就业"}] = 2
	d.keyword[weekKey{group: 5, week: "2026-W48", word: "简历"}] = 5
	d.keyword[weekKey{group: 6, week: "2026-W48", word: "简历"}] = 1
	return d
}

func TestDeltasRoundTripAndMerge(t *testing.T) {
	d := sampleDeltas()
	got, err := decodeDeltas(d.encode())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, d) {
		t.Fatalf("round trip changed the deltas:\n got %+v\nwant %+v", got, d)
	}
	got.merge(sampleDeltas())
	if n := got.inter[interKey{cadre: 1, youth: 7, day: "2026-11-23", kind: "mention"}]; n != 6 {
		t.Errorf("merged interactions = %d, want 6", n)
	}
	m := got.member[memberKey{group: 5, ident: 7, day: "2026-11-23"}]
	if *m != (memberAgg{messages: 8, inter: 4, first: 100, last: 900}) {
		t.Errorf("merged member = %+v", *m)
	}
	if c := got.cadre[cadreKey{cadre: 1, day: "2026-11-23"}]; *c != [2]int{12, 2} {
		t.Errorf("merged cadre = %v", *c)
	}
	if !newDeltas().empty() || d.empty() {
		t.Error("empty() wrong")
	}
}

func TestDecodeDeltasRefusesDamage(t *testing.T) {
	good := sampleDeltas().encode()
	for name, b := range map[string][]byte{
		"empty":         nil,
		"version":       append([]byte{9}, good[1:]...),
		"truncated":     good[:len(good)/2],
		"trailing":      append(append([]byte{}, good...), 0),
		"huge count":    {deltasVersion, 0, 0xff, 0xff, 0xff, 0xff, 0x0f},
		"string ref":    {deltasVersion, 0, 1, 2, 2, 7, 2},
		"string length": {deltasVersion, 1, 0x7f, 'a'},
	} {
		if _, err := decodeDeltas(b); !errors.Is(err, errDeltas) {
			t.Errorf("%s: err = %v, want errDeltas", name, err)
		}
	}
}

func FuzzDecodeDeltas(f *testing.F) {
	f.Add(sampleDeltas().encode())
	f.Add([]byte{deltasVersion, 0, 0, 0, 0, 0, 0})
	f.Fuzz(func(t *testing.T, b []byte) {
		d, err := decodeDeltas(b)
		if err != nil {
			return
		}
		again, err := decodeDeltas(d.encode())
		if err != nil || !reflect.DeepEqual(again, d) {
			t.Fatalf("re-encoding a decoded row changed it: %v", err)
		}
	})
}

// rollupCount is the number of interaction_daily rows and pending deltas rows.
func rollupCount(t *testing.T, db *DB) (daily, pending int) {
	t.Helper()
	ctx := context.Background()
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM interaction_daily`).Scan(&daily); err != nil {
		t.Fatal(err)
	}
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM rollup_deltas`).Scan(&pending); err != nil {
		t.Fatal(err)
	}
	return daily, pending
}

// TestDeferredRollups: with deferral on, a burst's increments wait as deltas rows; a batch with
// a command settles them in its own transaction; another handle opening the file (a restart
// after a crash) applies what was left; the result equals a recount.
func TestDeferredRollups(t *testing.T) {
	ctx := context.Background()
	db, _, _ := testDB(t, backendList[0]) // deferral is SQLite's: on PostgreSQL rollups apply at once
	db.DeferRollups(time.Hour)
	at := db.Now()
	for i := 0; i < 3; i++ {
		b := []bot.Incoming{msg(fmt.Sprint("a", i), "c1", "@y1 在吗", at, "y1"), msg(fmt.Sprint("b", i), "y1", "在的", at)}
		if _, err := db.IngestBatch(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	if daily, pending := rollupCount(t, db); daily != 0 || pending != 3 {
		t.Fatalf("after a deferred burst: %d daily rows, %d pending, want 0 and 3", daily, pending)
	}
	if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("cmd", "c1", "/台账", at)}); err != nil {
		t.Fatal(err)
	}
	if daily, pending := rollupCount(t, db); daily != 1 || pending != 0 {
		t.Fatalf("after a command: %d daily rows, %d pending, want 1 and 0", daily, pending)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT n FROM interaction_daily`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("interaction_daily n = %d (%v), want 3", n, err)
	}

	// more pending rows, then a second handle on the same file settles them at Open
	if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("d", "c1", "@y2 你好", at, "y2")}); err != nil {
		t.Fatal(err)
	}
	if _, pending := rollupCount(t, db); pending != 1 {
		t.Fatalf("pending = %d, want 1", pending)
	}
	other, err := Open(ctx, db.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if daily, pending := rollupCount(t, other); daily != 2 || pending != 0 {
		t.Fatalf("after Open: %d daily rows, %d pending, want 2 and 0", daily, pending)
	}
	if diff, err := other.RollupDrift(ctx); err != nil || diff != 0 {
		t.Fatalf("drift %d (%v)", diff, err)
	}
	// the first handle's Settle finds nothing left and changes nothing
	if err := db.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if daily, _ := rollupCount(t, db); daily != 2 {
		t.Fatalf("daily rows after a second settle = %d, want 2", daily)
	}
	if diff, err := db.RollupDrift(ctx); err != nil || diff != 0 {
		t.Fatalf("drift after the other handle settled the first one's row: %d (%v)", diff, err)
	}
}

// TestSettleKnowsWhoseRowsItHolds: a process settles its own rows from memory, reads the rows
// another process kept, and, when another process settled rows it holds in memory (its Open,
// say), reads what is left instead of applying them a second time.
func TestSettleKnowsWhoseRowsItHolds(t *testing.T) {
	ctx := context.Background()
	db, _, _ := testDB(t, backendList[0]) // deferral is SQLite's: on PostgreSQL rollups apply at once
	db.DeferRollups(time.Hour)
	at := db.Now()
	ingest := func(db *DB, id, text string, mentions ...string) {
		t.Helper()
		if _, err := db.IngestBatch(ctx, []bot.Incoming{msg(id, "c1", text, at, mentions...)}); err != nil {
			t.Fatal(err)
		}
	}
	interactions := func() int {
		t.Helper()
		var n int
		if err := db.r.QueryRowContext(ctx, `SELECT COALESCE(SUM(n), 0) FROM interaction_daily`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	ingest(db, "1", "@y1 一", "y1")
	other, err := Open(ctx, db.Path()) // settles row 1 at Open, behind db's back
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	other.DeferRollups(time.Hour)
	ingest(db, "2", "@y1 二", "y1")    // db holds rows 1 (gone) and 2 in memory
	ingest(other, "3", "@y1 三", "y1") // a row db never saw
	if err := db.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := interactions(); n != 3 {
		t.Fatalf("interactions after the mixed settle = %d, want 3", n)
	}
	ingest(db, "4", "@y1 四", "y1") // from memory this time
	ingest(other, "5", "@y1 五", "y1")
	if err := db.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if n := interactions(); n != 5 {
		t.Fatalf("interactions = %d, want 5", n)
	}
	if diff, err := db.RollupDrift(ctx); err != nil || diff != 0 {
		t.Fatalf("drift %d (%v)", diff, err)
	}
	if _, pending := rollupCount(t, db); pending != 0 {
		t.Fatalf("pending rows = %d, want 0", pending)
	}
}

// TestOptOutSettlesFirst: an opted-out youth's pending increments do not come back after the
// opt-out deleted their rollups.
func TestOptOutSettlesFirst(t *testing.T) {
	ctx := context.Background()
	db, _, _ := testDB(t, backendList[0]) // deferral is SQLite's: on PostgreSQL rollups apply at once
	db.DeferRollups(time.Hour)
	at := db.Now()
	if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("1", "c1", "@y1 hi", at, "y1"), msg("2", "y1", "hello", at)}); err != nil {
		t.Fatal(err)
	}
	y1, err := db.Identity(ctx, bot.QQ, bot.User{ID: "y1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.OptOut(ctx, y1); err != nil {
		t.Fatal(err)
	}
	if err := db.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM member_daily WHERE identity_id = ?`, y1).Scan(&n); err != nil || n != 0 {
		t.Fatalf("member_daily rows of the opted-out youth = %d (%v), want 0", n, err)
	}
	if daily, pending := rollupCount(t, db); daily != 0 || pending != 0 {
		t.Fatalf("%d daily rows, %d pending, want none", daily, pending)
	}
}

// TestDamagedDeltasRowIsSkipped: a damaged pending row (disk trouble, a bug) does not stop
// settling or ingest; it stays for a person to look at and the good rows are applied.
func TestDamagedDeltasRowIsSkipped(t *testing.T) {
	ctx := context.Background()
	db, _, _ := testDB(t, backendList[0]) // deferral is SQLite's: on PostgreSQL rollups apply at once
	db.DeferRollups(time.Hour)
	at := db.Now()
	if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("1", "c1", "@y1 hi", at, "y1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.w.ExecContext(ctx, `INSERT INTO rollup_deltas (at, data) VALUES (0, x'01ff')`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("2", "c1", "@y1 again", at, "y1")}); err != nil {
		t.Fatal(err)
	}
	if err := db.settleNow(ctx); err != nil {
		t.Fatalf("settle with a damaged row: %v", err)
	}
	var n, left int
	if err := db.r.QueryRowContext(ctx, `SELECT n FROM interaction_daily`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("interaction_daily n = %d (%v), want 2", n, err)
	}
	if err := db.r.QueryRowContext(ctx, `SELECT COUNT(*) FROM rollup_deltas WHERE data = x'01ff'`).Scan(&left); err != nil || left != 1 {
		t.Fatalf("damaged rows left = %d (%v), want 1", left, err)
	}
	if _, pending := rollupCount(t, db); pending != 1 {
		t.Fatalf("pending rows = %d, want only the damaged one", pending)
	}
}
