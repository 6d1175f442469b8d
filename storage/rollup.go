package storage

import (
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"youthlink/counting"
)

// deltas are rollup increments: what a batch (or several, merged) adds to the five rollup
// tables. Under a burst the engine's batches write their deltas as one compact row each
// (rollup_deltas) instead of thousands of upserts; settle merges the pending rows, so a youth
// who speaks in ten batches costs one member_daily upsert instead of ten. The deltas row commits
// with its messages, so a crash loses nothing: the next settle (at the latest, Open) applies it.
type deltas struct {
	inter   map[interKey]int
	member  map[memberKey]*memberAgg
	cadre   map[cadreKey]*[2]int
	topic   map[weekKey]int
	keyword map[weekKey]int
}

func newDeltas() *deltas {
	return &deltas{inter: map[interKey]int{}, member: map[memberKey]*memberAgg{}, cadre: map[cadreKey]*[2]int{},
		topic: map[weekKey]int{}, keyword: map[weekKey]int{}}
}

func (d *deltas) empty() bool {
	return len(d.inter)+len(d.member)+len(d.cadre)+len(d.topic)+len(d.keyword) == 0
}

// merge adds o's increments to d.
func (d *deltas) merge(o *deltas) {
	for k, n := range o.inter {
		d.inter[k] += n
	}
	for k, a := range o.member {
		d.addMember(k, *a)
	}
	for k, a := range o.cadre {
		d.addCadre(k, *a)
	}
	for k, n := range o.topic {
		d.topic[k] += n
	}
	for k, n := range o.keyword {
		d.keyword[k] += n
	}
}

// addMember adds one member-day's increments.
func (d *deltas) addMember(k memberKey, a memberAgg) {
	if b := d.member[k]; b != nil {
		b.messages += a.messages
		b.inter += a.inter
		b.first, b.last = min(b.first, a.first), max(b.last, a.last)
	} else {
		d.member[k] = &a
	}
}

// addCadre adds one cadre-day's increments.
func (d *deltas) addCadre(k cadreKey, a [2]int) {
	if b := d.cadre[k]; b != nil {
		b[0] += a[0]
		b[1] += a[1]
	} else {
		d.cadre[k] = &a
	}
}

// deltasVersion is the first byte of an encoded deltas row.
const deltasVersion = 1

// encode writes d as: version, a string table, then the five maps, each as a count and its
// entries; integers are varints and strings indexes into the table.
func (d *deltas) encode() []byte {
	var strs []string
	index := map[string]uint64{}
	ref := func(s string) uint64 {
		i, ok := index[s]
		if !ok {
			i = uint64(len(strs))
			index[s] = i
			strs = append(strs, s)
		}
		return i
	}
	var body []byte
	u := func(v uint64) { body = binary.AppendUvarint(body, v) }
	i := func(v int64) { body = binary.AppendVarint(body, v) }
	u(uint64(len(d.inter)))
	for k, n := range d.inter {
		i(k.cadre)
		i(k.youth)
		u(ref(k.day))
		u(ref(string(k.kind)))
		i(int64(n))
	}
	u(uint64(len(d.member)))
	for k, a := range d.member {
		i(k.group)
		i(k.ident)
		u(ref(k.day))
		i(a.messages)
		i(a.inter)
		i(a.first)
		i(a.last)
	}
	u(uint64(len(d.cadre)))
	for k, a := range d.cadre {
		i(k.cadre)
		u(ref(k.day))
		i(int64(a[0]))
		i(int64(a[1]))
	}
	for _, m := range []map[weekKey]int{d.topic, d.keyword} {
		u(uint64(len(m)))
		for k, n := range m {
			i(k.group)
			u(ref(k.week))
			u(ref(k.word))
			i(int64(n))
		}
	}
	out := []byte{deltasVersion}
	out = binary.AppendUvarint(out, uint64(len(strs)))
	for _, s := range strs {
		out = binary.AppendUvarint(out, uint64(len(s)))
		out = append(out, s...)
	}
	return append(out, body...)
}

// errDeltas reports a deltas row that cannot be read.
var errDeltas = errors.New("rollup deltas row is damaged")

// decodeDeltas reads what encode wrote. Damaged input gives errDeltas, never a panic.
func decodeDeltas(b []byte) (*deltas, error) {
	d := newDeltas()
	if err := d.read(b); err != nil {
		return nil, err
	}
	return d, nil
}

// add adds the increments of an encoded row to d; a damaged row adds nothing.
func (d *deltas) add(b []byte) error {
	row, err := decodeDeltas(b)
	if err != nil {
		return err
	}
	d.merge(row)
	return nil
}

// read parses an encoded row into d.
func (d *deltas) read(b []byte) error {
	if len(b) == 0 || b[0] != deltasVersion {
		return fmt.Errorf("%w: unknown version", errDeltas)
	}
	r := deltaReader{b: b[1:]}
	strs := make([]string, 0, min(r.u(), uint64(len(b))))
	for n := cap(strs); n > 0 && r.err == nil; n-- {
		strs = append(strs, r.str())
	}
	s := func() string {
		i := r.u()
		if i >= uint64(len(strs)) {
			r.fail()
			return ""
		}
		return strs[i]
	}
	for n := r.count(); n > 0; n-- {
		k := interKey{cadre: r.i(), youth: r.i(), day: s(), kind: counting.Kind(s())}
		d.inter[k] += int(r.i())
	}
	for n := r.count(); n > 0; n-- {
		k := memberKey{group: r.i(), ident: r.i(), day: s()}
		d.addMember(k, memberAgg{messages: r.i(), inter: r.i(), first: r.i(), last: r.i()})
	}
	for n := r.count(); n > 0; n-- {
		k := cadreKey{cadre: r.i(), day: s()}
		d.addCadre(k, [2]int{int(r.i()), int(r.i())})
	}
	for _, m := range []map[weekKey]int{d.topic, d.keyword} {
		for n := r.count(); n > 0; n-- {
			k := weekKey{group: r.i(), week: s(), word: s()}
			m[k] += int(r.i())
		}
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	return r.err
}

// deltaReader reads varints and strings, remembering the first failure.
type deltaReader struct {
	b   []byte
	err error
}

func (r *deltaReader) fail() {
	if r.err == nil {
		r.err = fmt.Errorf("%w: truncated or malformed", errDeltas)
	}
	r.b = nil
}

func (r *deltaReader) u() uint64 { return varint(r, binary.Uvarint) }

func (r *deltaReader) i() int64 { return varint(r, binary.Varint) }

// varint reads one varint with read (binary.Uvarint or binary.Varint).
func varint[T uint64 | int64](r *deltaReader, read func([]byte) (T, int)) T {
	v, n := read(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

// count reads an entry count, which can never exceed the bytes left (each entry takes several).
func (r *deltaReader) count() uint64 {
	n := r.u()
	if n > uint64(len(r.b)) {
		r.fail()
		return 0
	}
	return n
}

func (r *deltaReader) str() string {
	n := r.u()
	if n > uint64(len(r.b)) {
		r.fail()
		return ""
	}
	s := string(r.b[:n])
	r.b = r.b[n:]
	return s
}

// DeferRollups lets ingest write each batch's rollup increments as one deltas row and apply
// them together at most every interval (and whenever a batch holds a command, whose handler may
// read the rollups, or Settle is called). The engine turns it on; direct IngestBatch callers
// see their rollups at once by default. On PostgreSQL, where several processes write, each
// batch applies its rollups at once whatever every says.
//
// On SQLite deferral also moves a burst's WAL checkpoints to the settles (see walPace).
func (db *DB) DeferRollups(every time.Duration) {
	if db.dialect.postgres {
		every = 0
	}
	db.mu.Lock()
	db.deferEvery = every
	db.mu.Unlock()
}

// burstBatch is the batch size from which ingest takes the writer to be behind: a burst.
const burstBatch = 256

// SQLite's checkpoint interval in WAL pages: its default, and in a burst the cap (64 MiB of
// 4 KiB pages) at which it checkpoints without waiting for a settle. walKeep bounds the WAL file
// SQLite keeps when it restarts the log: above what a burst reaches (a reader holding an old
// snapshot can let it grow further), so that the next burst does not pay to grow it again (cutting
// it back to 8 MiB after each burst cost the next one ~10 %). The file so stays up to ~70 MB.
const sqliteAutoCheckpoint, walCap, walKeep = 1000, 16384, 80 << 20

// The writer connection's settings in a burst and in steady traffic (walPace).
var (
	burstPace  = fmt.Sprintf("PRAGMA wal_autocheckpoint = %d; PRAGMA journal_size_limit = %d", walCap, walKeep)
	steadyPace = fmt.Sprintf("PRAGMA wal_autocheckpoint = %d", sqliteAutoCheckpoint)
)

// walPace sets SQLite's checkpoint interval for the batch in tx (SQLite only).
//
// A batch of burstBatch events or more under deferred rollups means the writer is behind: a
// burst. The interval goes up to walCap, so the burst's commits only append to the WAL, and each
// settle checkpoints it (afterSettle), each page once however many commits changed it. A long
// burst still reaches walCap, as a checkpoint beside the writer never finds the WAL idle to
// restart it; SQLite checkpoints on the writer then.
//
// The burst lasts until a checkpoint that began after its last batch has finished. Then a smaller
// batch gives SQLite its default back, every 1000 pages, each checkpoint short, which keeps
// steady traffic's latency low. Switching back earlier would make that batch's commit checkpoint
// the whole burst's WAL on the writer.
//
// The interval is set again on every burst batch: database/sql may have replaced the writer
// connection, and a new one starts at SQLite's default. With synchronous=NORMAL the WAL reaches
// the disk at checkpoints, so a power cut in a burst may lose the commits since the last settle
// (about a second's worth), where it loses at most 1000 pages' worth otherwise.
func (db *DB) walPace(ctx context.Context, tx *sql.Tx, batch int) error {
	if db.dialect.postgres {
		return nil
	}
	db.mu.Lock()
	deferred := db.deferEvery > 0
	db.mu.Unlock()
	was := db.walBurst.Load()
	burst := false
	switch {
	case !deferred:
	case batch >= burstBatch:
		burst = true
	default:
		burst = was && db.walUndrained()
	}
	var q string
	switch {
	case burst:
		db.walBatches.Add(1)
		q = burstPace
	case was:
		q = steadyPace
	default:
		return nil
	}
	if _, err := tx.ExecContext(ctx, q); err != nil {
		return fmt.Errorf("wal checkpoint interval: %w", err)
	}
	db.walBurst.Store(burst)
	return nil
}

// afterSettle checkpoints the WAL after a settle has committed, in a burst only (walPace), on a
// goroutine of its own: the writer goes on with the next batch, and an idle engine's settle
// (Settle) returns without waiting for the copy. A batch's settle leaves its checkpoint to the
// next settle when one is under way already (that one copies what this one would have); Settle's
// (last) waits for it and then runs, and Settle checkpoints even with nothing to apply while a
// burst's WAL is not all taken in, so that the end of a burst reaches the database file. A
// checkpoint that fails is no error of the settle: it leaves its pages to the next one, or to
// SQLite's own at walCap. Close waits for the checkpoints under way.
func (db *DB) afterSettle(ctx context.Context, last bool) {
	if !db.walBurst.Load() {
		return
	}
	covers := db.walBatches.Load() // the burst batches committed so far
	if !last && !db.checkpointMu.TryLock() {
		return
	}
	db.checkpoints.Add(1)
	go func() {
		defer db.checkpoints.Done()
		if last {
			db.checkpointMu.Lock()
		}
		defer db.checkpointMu.Unlock()
		_ = db.walCheckpoint(context.WithoutCancel(ctx), covers)
	}()
}

// walUndrained reports whether some burst batch has not yet been covered by a finished checkpoint.
func (db *DB) walUndrained() bool { return db.walDrained.Load() < db.walBatches.Load() }

// walCheckpoint copies the WAL into the database file, on a reader connection, so that it can
// run beside the writer, and records that the burst's first covers batches are in the file
// (walPace). It is passive: it waits for no reader, and a reader holding an old snapshot only
// leaves the rest to the next checkpoint. Call with checkpointMu held.
func (db *DB) walCheckpoint(ctx context.Context, covers int64) error {
	if err := db.passiveCheckpoint(ctx); err != nil {
		return err
	}
	for { // a checkpoint that waited for the lock may finish after one that covers more
		was := db.walDrained.Load()
		if was >= covers || db.walDrained.CompareAndSwap(was, covers) {
			break
		}
	}
	return nil
}

// passiveCheckpoint copies what it can of the WAL into the database file, on a reader connection.
func (db *DB) passiveCheckpoint(ctx context.Context) error {
	if _, err := db.r.ExecContext(ctx, `PRAGMA wal_checkpoint(PASSIVE)`); err != nil {
		return fmt.Errorf("wal checkpoint: %w", err)
	}
	return nil
}

// Settle applies every pending deltas row (those of other processes too) in one transaction,
// and removes the journal rows of events handled since, when this process has kept a row or
// handled an event since its last settle. Rows only other processes left are applied by their own
// settles, or at the next Open (settleNow). With nothing to apply, it still checkpoints a burst's
// WAL that no checkpoint has taken in yet: the burst's last batch may have settled itself while
// another checkpoint ran, and skipped its own.
func (db *DB) Settle(ctx context.Context) error {
	db.mu.Lock()
	pending := db.unsettled() || len(db.handled) > 0
	db.mu.Unlock()
	if !pending {
		if db.walUndrained() {
			db.afterSettle(ctx, true)
		}
		return nil
	}
	return db.settleNow(ctx)
}

// settleNow applies pending deltas rows whether or not this process wrote any (Open uses it
// to apply what a crashed process left).
func (db *DB) settleNow(ctx context.Context) error {
	ctx = context.WithoutCancel(ctx)
	var last int64
	err := db.writeTx(ctx, func(tx *sql.Tx) (err error) {
		last, err = db.settle(ctx, tx, newDeltas())
		return err
	})
	if err != nil {
		return fmt.Errorf("settle rollups: %w", err)
	}
	db.committed(outcome{settled: true, upTo: last})
	db.afterSettle(ctx, true)
	return nil
}

// outcome is what a committed transaction did with the pending deltas rows: it settled every
// row up to upTo, or it kept one of its own, kept, holding d.
type outcome struct {
	settled bool
	upTo    int64
	kept    int64
	d       *deltas
}

// committed records a transaction's outcome once it has committed. A settle recorded late does
// not cover a row kept after it, which so stays pending; a kept row recorded late, after a settle
// read it, is held in memory for nothing, and the next settle, not finding it, decodes the rows
// instead (pending.present).
func (db *DB) committed(o outcome) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if o.settled {
		db.settledLast = max(db.settledLast, o.upTo)
		db.settledAt = time.Now()
		db.pend = newPending()
	}
	if o.kept != 0 {
		db.keptLast = max(db.keptLast, o.kept)
		if p := db.pend; p != nil {
			p.ids[o.kept] = true
			p.add(o.d)
		}
	}
}

// unsettled reports whether this process kept a deltas row no settle has covered. Call with mu held.
func (db *DB) unsettled() bool { return db.keptLast > db.settledLast }

// pending is what this process knows of the deltas rows not yet applied: the merged increments
// of the rows it kept itself since the last settle, and their ids, so that settling need not
// decode its own rows. Rows another process kept are decoded.
type pending struct {
	d   *deltas
	ids map[int64]bool

	mu     sync.Mutex     // held while a batch's increments are merged into d
	merges sync.WaitGroup // merges under way
}

func newPending() *pending { return &pending{d: newDeltas(), ids: map[int64]bool{}} }

// add merges a committed batch's increments into p beside the writer, which goes on with the
// next batch meanwhile: merging a large batch costs milliseconds, and the machine has a second
// core. Merges may finish in any order (sums, minima and maxima do not care); merged waits
// for them.
func (p *pending) add(d *deltas) {
	p.merges.Add(1)
	go func() {
		defer p.merges.Done()
		p.mu.Lock()
		defer p.mu.Unlock()
		p.d.merge(d)
	}()
}

// merged returns the increments of every row p holds, once the merges under way are done.
func (p *pending) merged() *deltas {
	p.merges.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.d
}

// settle merges d with every pending deltas row, writes the sum to the rollup tables and
// removes the rows, inside tx, and returns the last row id it covered (at least this process's
// newest kept row, which it cannot miss). While it runs, and after it failed, the process's
// pending state is unknown and the next settle decodes every row.
func (db *DB) settle(ctx context.Context, tx *sql.Tx, d *deltas) (int64, error) {
	db.mu.Lock()
	p := db.pend
	db.pend = nil
	last := db.keptLast // every row this process kept before this transaction is covered by it
	db.mu.Unlock()
	rows, err := readDeltas(ctx, tx)
	if err != nil {
		return 0, err
	}
	if p != nil && !p.present(rows) { // another process settled rows of ours: decode what is left
		p = nil
	}
	var damaged []int64
	for _, r := range rows {
		last = max(last, r.id)
		if p != nil && p.ids[r.id] {
			continue
		}
		if err := d.add(r.data); err != nil {
			// A damaged row stays where it is for a person to look at; ingest goes on.
			damaged = append(damaged, r.id)
		}
	}
	if p != nil { // merge the smaller into the larger
		if own := p.merged(); len(own.member)+len(own.keyword) > len(d.member)+len(d.keyword) {
			own.merge(d)
			d = own
		} else {
			d.merge(own)
		}
	}
	if err := clearDeltas(ctx, tx, rows, damaged); err != nil {
		return 0, err
	}
	return last, db.apply(ctx, tx, d)
}

// clearDeltas deletes the rows a settle read, but for the damaged ones.
func clearDeltas(ctx context.Context, tx *sql.Tx, rows []deltasRow, damaged []int64) error {
	if len(rows) == 0 {
		return nil
	}
	from := int64(0)
	for _, bad := range append(damaged, rows[len(rows)-1].id+1) {
		if bad > from+1 {
			if _, err := tx.ExecContext(ctx, `DELETE FROM rollup_deltas WHERE id > ? AND id < ?`, from, bad); err != nil {
				return fmt.Errorf("clear deltas: %w", err)
			}
		}
		from = bad
	}
	return nil
}

// deltasRow is one pending deltas row.
type deltasRow struct {
	id   int64
	data []byte
}

// present reports whether every row p holds is still pending; another process that settled
// (at its Open, say) applied them already.
func (p *pending) present(rows []deltasRow) bool {
	n := 0
	for _, r := range rows {
		if p.ids[r.id] {
			n++
		}
	}
	return n == len(p.ids)
}

// readDeltas reads the pending deltas rows in order.
func readDeltas(ctx context.Context, tx *sql.Tx) ([]deltasRow, error) {
	var out []deltasRow
	err := eachRow(ctx, tx, `SELECT id, data FROM rollup_deltas ORDER BY id`, nil, func(rows *sql.Rows) error {
		var r deltasRow
		if err := rows.Scan(&r.id, &r.data); err != nil {
			return err
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read deltas: %w", err)
	}
	return out, nil
}

// keep writes row, a batch's encoded deltas, as one pending deltas row, inside tx, and returns
// its id. Only SQLite keeps rows (DeferRollups): pgx has no LastInsertId.
func (db *DB) keep(ctx context.Context, tx *sql.Tx, row []byte) (int64, error) {
	res, err := tx.StmtContext(ctx, db.keepStmt).ExecContext(ctx, time.Now().Unix(), row)
	if err != nil {
		return 0, fmt.Errorf("keep deltas: %w", err)
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, fmt.Errorf("keep deltas: %w", err)
	}
	return id, nil
}

// rollups describes each table written by multi-row upserts (apply, writeMembers). The old row's columns
// are qualified (PostgreSQL requires it); LEAST/GREATEST become MIN/MAX on SQLite (dialect.expand).
var rollups = map[string]struct{ cols, conflict, set string }{
	"interaction_daily": {"cadre_id, day, kind, youth_id, n", "cadre_id, day, kind, youth_id", "n = interaction_daily.n + excluded.n"},
	"member_daily": {"group_id, day, identity_id, messages, interactions, first_at, last_at", "group_id, day, identity_id",
		"messages = member_daily.messages + excluded.messages, interactions = member_daily.interactions + excluded.interactions, " +
			"first_at = LEAST(member_daily.first_at, excluded.first_at), last_at = GREATEST(member_daily.last_at, excluded.last_at)"},
	"cadre_daily": {"cadre_id, day, messages, tag_posts", "cadre_id, day",
		"messages = cadre_daily.messages + excluded.messages, tag_posts = cadre_daily.tag_posts + excluded.tag_posts"},
	"topic_weekly":   {"group_id, week, topic, messages", "group_id, week, topic", "messages = topic_weekly.messages + excluded.messages"},
	"keyword_weekly": {"group_id, week, word, n", "group_id, week, word", "n = keyword_weekly.n + excluded.n"},
	// Not a rollup, but written the same way: a batch's new memberships (writeMembers). A loop
	// over this map that rebuilds the rollups must leave it out: it holds facts, not sums.
	"group_members": {"group_id, identity_id, first_at", "group_id, identity_id", "left_at = NULL WHERE group_members.left_at IS NOT NULL"},
}

// upsertRows is how many rows one rollup statement carries.
const upsertRows = 64

// upserter adds rows to one rollup table after another, upsertRows rows per statement: far
// fewer round trips through the driver than one statement per row. The first error stops it.
type upserter struct {
	db   *DB
	ctx  context.Context
	tx   *sql.Tx
	name string
	args []any
	n    int // rows in args
	err  error
}

// table writes what the previous table has left and starts the next.
func (u *upserter) table(name string) {
	u.flush()
	u.name = name
}

// row adds one row, the table's columns in order.
func (u *upserter) row(vals ...any) {
	if u.err != nil {
		return
	}
	u.args = append(u.args, vals...)
	if u.n++; u.n == upsertRows {
		u.flush()
	}
}

// flush writes the rows held and returns the first error met.
func (u *upserter) flush() error {
	if u.err != nil || u.n == 0 {
		return u.err
	}
	var err error
	if u.n == upsertRows {
		_, err = u.tx.StmtContext(u.ctx, u.db.upserts[u.name]).ExecContext(u.ctx, u.args...)
	} else {
		_, err = u.tx.ExecContext(u.ctx, u.db.dialect.upsertSQL(u.name, u.n), u.args...)
	}
	if err != nil {
		u.err = fmt.Errorf("write %s: %w", u.name, err)
	}
	u.args, u.n = u.args[:0], 0
	return u.err
}
