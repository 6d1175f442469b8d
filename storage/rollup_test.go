package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/period"
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

// deferredDB is a SQLite test database whose rollups wait an hour to settle (deferral is
// SQLite's: on PostgreSQL rollups apply at once), and the time of its clock.
func deferredDB(t *testing.T) (*DB, time.Time) {
	t.Helper()
	db, _, _ := testDB(t, backendList[0])
	db.DeferRollups(time.Hour)
	return db, db.Now()
}

// TestSettleDoesNotWaitForItsCheckpoint: the settle at the end of a burst returns while a
// checkpoint is still under way; its own checkpoint runs once that one is done, and takes the
// whole burst into the database file.
func TestSettleDoesNotWaitForItsCheckpoint(t *testing.T) {
	ctx := context.Background()
	db, at := deferredDB(t)
	items := bigBatch(at)
	if _, err := db.IngestBatch(ctx, items); err != nil {
		t.Fatal(err)
	}
	before := fileSize(t, db)
	unlock := holdCheckpoint(t, db)
	settled := make(chan error, 1)
	go func() { settled <- db.Settle(ctx) }()
	select {
	case err := <-settled:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Settle waited for the checkpoint under way")
	}
	unlock()
	db.checkpoints.Wait()
	if grew := fileSize(t, db) - before; grew < int64(len(items))*4200 {
		t.Fatalf("after the settle's checkpoint the database file grew by %d bytes, want the burst's %d", grew, len(items)*4200)
	}
}

// bigBatch is one burst batch (burstBatch messages) of 4,200-byte messages.
func bigBatch(at time.Time) []bot.Incoming {
	items := make([]bot.Incoming, burstBatch)
	for i := range items {
		items[i] = msg(fmt.Sprint(i), "y1", strings.Repeat("青年", 700), at)
	}
	return items
}

// fileSize is the size of db's database file, which grows as checkpoints copy the WAL into it.
func fileSize(t *testing.T, db *DB) int64 {
	t.Helper()
	fi, err := os.Stat(db.path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// holdCheckpoint takes the checkpoint lock, as a checkpoint under way would, and returns what
// lets it go. The lock also goes at the end of the test, before the database closes (Close waits
// for checkpoints), so that a failing test fails instead of hanging.
func holdCheckpoint(t *testing.T, db *DB) (unlock func()) {
	db.checkpointMu.Lock()
	var once sync.Once
	unlock = func() { once.Do(db.checkpointMu.Unlock) }
	t.Cleanup(unlock)
	return unlock
}

// TestSettleCheckpointsABurstLeftBehind: when a burst's last batch settles itself (it holds a
// command) while another checkpoint runs, its own checkpoint is skipped; the idle Settle that
// follows, with nothing left to apply, still takes the burst into the database file.
func TestSettleCheckpointsABurstLeftBehind(t *testing.T) {
	ctx := context.Background()
	db, at := deferredDB(t)
	items := bigBatch(at)
	before := fileSize(t, db)
	unlock := holdCheckpoint(t, db)
	if _, err := db.IngestBatch(ctx, append(items, msg("cmd", "c1", "/台账", at))); err != nil {
		t.Fatal(err)
	}
	unlock()
	db.checkpoints.Wait()
	if err := db.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	db.checkpoints.Wait()
	if grew := fileSize(t, db) - before; grew < int64(len(items))*4200 {
		t.Fatalf("after Settle the database file grew by %d bytes, want the burst's %d", grew, len(items)*4200)
	}
}

// TestDeferredRollupsCheckpointAtSettle: under deferred rollups a burst's commits (batches of
// burstBatch events and more) stay in the WAL, the database file not growing, until a settle
// checkpoints them, beside the writer (the test waits for it). Steady
// traffic (small batches), and every batch with deferral off, leave checkpoints to SQLite, every
// 1000 pages: settles then checkpoint nothing.
func TestDeferredRollupsCheckpointAtSettle(t *testing.T) {
	ctx := context.Background()
	db, at := deferredDB(t)
	n := 0
	batch := func(size int) []bot.Incoming {
		items := make([]bot.Incoming, size)
		for i := range items {
			n++
			items[i] = msg(fmt.Sprint(n), "y1", strings.Repeat("青年", 700), at) // 4,200 bytes
		}
		return items
	}
	ingest := func(items []bot.Incoming) {
		t.Helper()
		if _, err := db.IngestBatch(ctx, items); err != nil {
			t.Fatal(err)
		}
	}
	const burstBytes = 2000 * 4200
	burst := func(perBatch int) { // about 8.4 MB
		t.Helper()
		for range 2000 / perBatch {
			ingest(batch(perBatch))
		}
	}
	size := func() int64 {
		t.Helper()
		fi, err := os.Stat(db.path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	interval := func() int {
		t.Helper()
		var pages int
		if err := db.w.QueryRowContext(ctx, `PRAGMA wal_autocheckpoint`).Scan(&pages); err != nil {
			t.Fatal(err)
		}
		return pages
	}
	settle := func() {
		t.Helper()
		if err := db.Settle(ctx); err != nil {
			t.Fatal(err)
		}
	}

	// steady traffic: settles leave the WAL to SQLite
	start := size()
	for range 20 {
		ingest(batch(1))
		settle()
	}
	if grew := size() - start; grew != 0 {
		t.Fatalf("settles of single-message batches grew the database file by %d bytes: they checkpointed", grew)
	}

	settles := []struct {
		name   string
		settle func()
	}{
		{"a burst batch with a command", func() {
			ingest(append(batch(burstBatch), msg("cmd", "c1", "/台账", at)))
			db.checkpoints.Wait()
		}},
		{"Settle", func() {
			settle()
			db.checkpoints.Wait()
		}},
	}
	for _, s := range settles {
		start := size()
		burst(500)
		if grew := size() - start; grew > burstBytes/4 {
			t.Fatalf("before %s: the database file grew by %d bytes during a deferred burst: checkpointed before a settle", s.name, grew)
		}
		if got := interval(); got != walCap {
			t.Fatalf("in a burst: wal_autocheckpoint %d, want %d", got, walCap)
		}
		s.settle()
		if grew := size() - start; grew < burstBytes {
			t.Fatalf("after %s: the database file grew by %d bytes, want at least the burst's %d", s.name, grew, burstBytes)
		}
	}

	// The burst lasts until a checkpoint has taken its WAL in; then a small batch is steady.
	burst(500)
	ingest(batch(1))
	if got := interval(); got != walCap {
		t.Fatalf("a small batch right after a burst: wal_autocheckpoint %d, want %d until a checkpoint", got, walCap)
	}
	settle()
	db.checkpoints.Wait()
	ingest(batch(1))
	if got := interval(); got != sqliteAutoCheckpoint {
		t.Fatalf("a small batch after the burst's checkpoint: wal_autocheckpoint %d, want %d", got, sqliteAutoCheckpoint)
	}

	// A writer connection that lost the setting (database/sql replaced it) gets it back.
	ingest(batch(burstBatch))
	if _, err := db.w.ExecContext(ctx, fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", sqliteAutoCheckpoint)); err != nil {
		t.Fatal(err)
	}
	ingest(batch(burstBatch))
	if got := interval(); got != walCap {
		t.Fatalf("a burst batch on a connection at the default: wal_autocheckpoint %d, want %d", got, walCap)
	}
	var limit int
	if err := db.w.QueryRowContext(ctx, `PRAGMA journal_size_limit`).Scan(&limit); err != nil || limit != walKeep {
		t.Fatalf("in a burst: journal_size_limit %d (%v), want %d", limit, err, walKeep)
	}
	settle()

	for _, c := range []struct {
		name     string
		perBatch int
		every    time.Duration
	}{{"small batches", 100, time.Hour}, {"deferral off", 500, 0}} {
		db.DeferRollups(c.every)
		start := size()
		burst(c.perBatch)
		if grew := size() - start; grew < burstBytes/4 {
			t.Fatalf("%s: the database file grew by %d bytes over 8.4 MB of messages: SQLite's own checkpoints are off", c.name, grew)
		}
	}
}

// TestDeferredRollups: with deferral on, a burst's increments wait as deltas rows; a batch with
// a command settles them in its own transaction; another handle opening the file (a restart
// after a crash) applies what was left; the result equals a recount.
func TestDeferredRollups(t *testing.T) {
	ctx := context.Background()
	db, at := deferredDB(t)
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
	other := backendList[0].reopen(t, db)
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

// TestSettleKnowsWhoseRowsItHolds: a process settles its own rows from memory, decodes the rows
// another process kept, and, when another process settled rows it holds in memory (its Open,
// say), decodes what is left instead of applying them a second time. All five rollup tables end
// as a database that applied each batch at once.
func TestSettleKnowsWhoseRowsItHolds(t *testing.T) {
	ctx := context.Background()
	db, _, _ := testDB(t, backendList[0]) // deferral is SQLite's: on PostgreSQL rollups apply at once
	ref, _, _ := testDB(t, backendList[0])
	db.DeferRollups(time.Hour)
	at := db.Now()
	item := func(n int) []bot.Incoming {
		in := msg(fmt.Sprint(n), "c1", fmt.Sprintf("@y%d 第%d条 #志愿服务#", n%2, n), at.Add(time.Duration(n)*time.Hour), fmt.Sprint("y", n%2))
		in.Topics = bot.Topics{Topics: []string{"志愿服务"}, Tags: []string{"志愿服务"}, Keywords: []string{"志愿", fmt.Sprint("词", n%3)}}
		return []bot.Incoming{in}
	}
	n := 0
	ingest := func(db *DB) {
		t.Helper()
		n++
		for _, d := range []*DB{db, ref} {
			if _, err := d.IngestBatch(ctx, item(n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	same := func(when string) {
		t.Helper()
		if got, want := rollupTables(t, db), rollupTables(t, ref); !reflect.DeepEqual(got, want) {
			t.Fatalf("%s: rollups differ from applying each batch at once:\n got %v\nwant %v", when, got, want)
		}
		if _, pending := rollupCount(t, db); pending != 0 {
			t.Fatalf("%s: %d rows pending, want 0", when, pending)
		}
	}
	ingest(db)
	other := backendList[0].reopen(t, db) // settles row 1 at Open, behind db's back
	other.DeferRollups(time.Hour)
	ingest(db)    // db holds rows 1 (gone) and 2 in memory
	ingest(other) // a row db never saw
	if err := db.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	same("after a settle that found one of its rows gone")
	ingest(db) // from memory this time
	ingest(db)
	ingest(other)
	if err := db.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	same("after a settle from memory and one foreign row")
	if diff, err := db.RollupDrift(ctx); err != nil || diff != 0 {
		t.Fatalf("drift %d (%v)", diff, err)
	}
}

// rollupTables reads every rollup table, each row as text, in key order.
func rollupTables(t *testing.T, db *DB) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for table, r := range rollups {
		out[table] = queryRows(t, db, "SELECT "+r.cols+" FROM "+table+" ORDER BY "+r.conflict)
	}
	return out
}

// queryRows runs q on db's readers and returns each row as text.
func queryRows(t *testing.T, db *DB, q string) []string {
	t.Helper()
	rows, err := db.r.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(vals))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLateSettleRecordKeepsNewerRow: a settle's commit is recorded after a batch that came
// after it kept a row (two goroutines racing for the lock); the process still knows that row is
// pending, and the next Settle applies it.
func TestLateSettleRecordKeepsNewerRow(t *testing.T) {
	ctx := context.Background()
	db, at := deferredDB(t)
	if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("1", "c1", "@y1 一", at, "y1")}); err != nil {
		t.Fatal(err)
	}
	var last int64
	err := db.writeTx(ctx, func(tx *sql.Tx) (err error) { // a settle whose record is late
		last, err = db.settle(ctx, tx, newDeltas())
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.IngestBatch(ctx, []bot.Incoming{msg("2", "c1", "@y1 二", at, "y1")}); err != nil {
		t.Fatal(err)
	}
	db.committed(outcome{settled: true, upTo: last})
	if err := db.Settle(ctx); err != nil {
		t.Fatal(err)
	}
	if _, pending := rollupCount(t, db); pending != 0 {
		t.Fatalf("%d rows pending after Settle, want 0: the newer row was forgotten", pending)
	}
	var n int
	if err := db.r.QueryRowContext(ctx, `SELECT n FROM interaction_daily`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("interaction_daily n = %d (%v), want 2", n, err)
	}
}

// TestLateKeepRecordAfterSettle: a batch's kept row is settled (read from the table) before the
// batch's own record of it comes in; the next settle finds the row gone that memory holds and
// decodes instead, so the row is not counted twice.
func TestLateKeepRecordAfterSettle(t *testing.T) {
	ctx := context.Background()
	db, at := deferredDB(t)
	d := newDeltas()
	d.inter[interKey{cadre: 1, youth: 7, day: period.Day(at), kind: "mention"}] = 1
	var kept int64
	if err := db.writeTx(ctx, func(tx *sql.Tx) (err error) { kept, err = db.keep(ctx, tx, d.encode()); return err }); err != nil {
		t.Fatal(err)
	}
	if err := db.settleNow(ctx); err != nil { // reads the row: this process has no record of it yet
		t.Fatal(err)
	}
	db.committed(outcome{kept: kept, d: d}) // the batch's record, late
	if n := ingestSettled(t, db, msg("1", "c1", "@y1 一", at, "y1")); n != 2 {
		t.Fatalf("interactions = %d, want 2: the kept row once, the message once", n)
	}
}

// ingestSettled ingests one batch of items, settles, and returns the interactions the rollups count.
func ingestSettled(t *testing.T, db *DB, items ...bot.Incoming) int {
	t.Helper()
	ctx := context.Background()
	if _, err := db.IngestBatch(ctx, items); err != nil {
		t.Fatal(err)
	}
	return settledInteractions(t, db)
}

// settledInteractions settles and returns the interactions the rollups count.
func settledInteractions(t *testing.T, db *DB) int {
	t.Helper()
	if err := db.Settle(context.Background()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := db.r.QueryRowContext(context.Background(), `SELECT SUM(n) FROM interaction_daily`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestFailedSettleLosesNothing: a settle that fails (on its own or inside a batch) is rolled
// back; the process no longer trusts its memory, and the next settle decodes the rows, so the
// sums come out exact: nothing lost, nothing of the failed batch counted.
func TestFailedSettleLosesNothing(t *testing.T) {
	ctx := context.Background()
	db, at := deferredDB(t)
	for i := range 3 { // more pending in memory than the failing batch holds, so the batch merges into it
		if _, err := db.IngestBatch(ctx, []bot.Incoming{msg(fmt.Sprint(i), "c1", "@y 在吗", at, fmt.Sprint("y", i))}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TRIGGER refuse BEFORE INSERT ON interaction_daily BEGIN SELECT RAISE(ABORT, '磁盘出错'); END`); err != nil {
		t.Fatal(err)
	}
	// a batch with a command settles in its own transaction, which fails and takes the batch's
	// own increments with it
	failing := []bot.Incoming{msg("x", "c1", "@y1 看这里", at, "y1"), msg("cmd", "c1", "/台账", at)}
	if _, err := db.IngestBatch(ctx, failing); err == nil || !strings.Contains(err.Error(), "磁盘出错") {
		t.Fatalf("a settling batch under a refusing table: %v, want the refusal", err)
	}
	if err := db.Settle(ctx); err == nil || !strings.Contains(err.Error(), "磁盘出错") {
		t.Fatalf("settle under a refusing table: %v, want the refusal", err)
	}
	if _, err := db.w.ExecContext(ctx, `DROP TRIGGER refuse`); err != nil {
		t.Fatal(err)
	}
	if n := ingestSettled(t, db, msg("3", "c1", "@y1 还在吗", at, "y1")); n != 4 {
		t.Fatalf("interactions = %d, want 4", n)
	}
	if diff, err := db.RollupDrift(ctx); err != nil || diff != 0 {
		t.Fatalf("drift %d (%v)", diff, err)
	}
}

// TestOptOutSettlesFirst: an opted-out youth's pending increments do not come back after the
// opt-out deleted their rollups.
func TestOptOutSettlesFirst(t *testing.T) {
	ctx := context.Background()
	db, at := deferredDB(t)
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
	db, at := deferredDB(t)
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

// TestDeferredRollupsUnderConcurrency: goroutines ingest into one handle and a second handle on
// the same file, with commands (settles inside batches), Settle calls and a third handle opening
// (and settling) now and then; afterwards the rollups equal a recount and nothing is pending.
func TestDeferredRollupsUnderConcurrency(t *testing.T) {
	ctx := context.Background()
	db, at := deferredDB(t)
	other := backendList[0].reopen(t, db)
	other.DeferRollups(time.Hour)
	var seq atomic.Int64
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := db
			if g == 3 {
				h = other
			}
			r := rand.New(rand.NewPCG(uint64(g), 1))
			for range 60 {
				var items []bot.Incoming
				for range 1 + r.IntN(4) {
					i := seq.Add(1)
					y := fmt.Sprint("y", r.IntN(9))
					text := "@" + y + " 你好"
					if r.IntN(15) == 0 {
						text = "/帮助"
					}
					items = append(items, msg(fmt.Sprint("s", i), "c1", text, at.Add(time.Duration(i)*time.Second), y))
				}
				if _, err := h.IngestBatch(ctx, items); err != nil {
					t.Error(err)
					return
				}
				switch r.IntN(10) {
				case 0:
					if err := h.Settle(ctx); err != nil {
						t.Error(err)
					}
				case 1:
					if g == 0 {
						x, err := Open(ctx, db.Path())
						if err != nil {
							t.Error(err)
							return
						}
						if err := x.Close(); err != nil {
							t.Error(err)
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	for _, h := range []*DB{db, other} {
		if err := h.Settle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	// before RollupDrift, which settles whatever Settle left
	if _, pending := rollupCount(t, db); pending != 0 {
		t.Fatalf("%d rows pending, want 0", pending)
	}
	var daily, sent int64
	if err := db.r.QueryRowContext(ctx, `SELECT (SELECT SUM(messages) FROM cadre_daily), (SELECT COUNT(*) FROM messages)`).Scan(&daily, &sent); err != nil {
		t.Fatal(err)
	}
	if daily != sent || sent != seq.Load() {
		t.Fatalf("cadre_daily counts %d messages, %d stored, %d sent", daily, sent, seq.Load())
	}
	if diff, err := db.RollupDrift(ctx); err != nil || diff != 0 {
		t.Fatalf("drift %d (%v)", diff, err)
	}
}

// TestCheckpointsNeverUncoverBatches: a checkpoint that waited for the lock (Settle's) may finish
// after one that covers more burst batches; what the burst has drained never goes back.
func TestCheckpointsNeverUncoverBatches(t *testing.T) {
	ctx := context.Background()
	db, _ := deferredDB(t)
	for _, covers := range []int64{5, 3} {
		db.checkpointMu.Lock()
		err := db.walCheckpoint(ctx, covers)
		db.checkpointMu.Unlock()
		if err != nil {
			t.Fatal(err)
		}
	}
	if got := db.walDrained.Load(); got != 5 {
		t.Errorf("drained %d burst batches after checkpoints covering 5 then 3, want 5", got)
	}
}
