package storage

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"youthlink/bot"
	"youthlink/counting"
	"youthlink/period"
)

// ident is a cached identities row.
type ident struct {
	id       int64
	cadre    int64
	optedOut bool
	name     string
}

// renamed is a copy of i with a new name: a cached identity is shared with readers of the cache,
// so a rename replaces it rather than changing it.
func (i *ident) renamed(name string) *ident {
	c := *i
	c.name = name
	return &c
}

func (i *ident) party() counting.Party {
	if i == nil {
		return counting.Party{}
	}
	return counting.Party{ID: i.id, Cadre: i.cadre, OptedOut: i.optedOut}
}

// chatKey names a user or a chat on a platform: the key of the identity and group caches.
type chatKey struct {
	platform bot.Platform
	id       string
}

// group is a cached groups row.
type group struct {
	id    int64
	cadre int64
	name  string
}

type ingestStmts struct {
	msg, inter, findMsg, identIns, identFind          *sql.Stmt
	groupFind, groupIns, groupRename, recall, journal *sql.Stmt
}

// fields lists the statements, so preparing, binding to a transaction and closing name each once.
func (s *ingestStmts) fields() []**sql.Stmt {
	return []**sql.Stmt{&s.msg, &s.inter, &s.findMsg, &s.identIns, &s.identFind,
		&s.groupFind, &s.groupIns, &s.groupRename, &s.recall, &s.journal}
}

// ingestSQL is the text of each statement, in the order of fields. Rollups are written by the
// multi-row upserts of apply; renames, being rare, by rename.
var ingestSQL = []string{
	`INSERT INTO messages (platform, chat_id, msg_id, group_id, sender_id, kind, text, reply_to, sent_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
	`INSERT INTO interactions (cadre_id, youth_id, kind, at, day, group_id, message_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
	`SELECT sender_id FROM messages WHERE platform = ? AND chat_id = ? AND msg_id = ?`,
	`INSERT INTO identities (platform, user_id, name, first_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
	`SELECT id, COALESCE(cadre_id, 0), opted_out, name FROM identities WHERE platform = ? AND user_id = ?`,
	`SELECT id, COALESCE(cadre_id, 0), name FROM groups WHERE platform = ? AND chat_id = ?`,
	`INSERT INTO groups (platform, chat_id, name, first_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING id`,
	`UPDATE groups SET name = ? WHERE id = ?`,
	`UPDATE messages SET recalled = 1 WHERE platform = ? AND chat_id = ? AND msg_id = ?`,
	`INSERT INTO unhandled (message_id, event, stored, at) VALUES (?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING`,
}

func prepareIngest(ctx context.Context, w *sql.DB, d dialect) (*ingestStmts, error) {
	s := &ingestStmts{}
	for i, dst := range s.fields() {
		q := ingestSQL[i]
		if !d.postgres { // SQLite reports the new id without RETURNING, and faster: see inserted
			q = strings.TrimSuffix(q, " RETURNING id")
		}
		st, err := w.PrepareContext(ctx, q)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("prepare %q: %w", strings.Fields(ingestSQL[i])[0:3], err)
		}
		*dst = st
	}
	return s, nil
}

// inserted runs an ingest INSERT … ON CONFLICT DO NOTHING (RETURNING id on PostgreSQL) and
// reports the new row's id, or inserted false when the row was there already. On SQLite an
// Exec with its last insert id costs less than reading a RETURNING row.
func (db *DB) inserted(ctx context.Context, st *sql.Stmt, args ...any) (id int64, inserted bool, err error) {
	if db.dialect.postgres {
		return returnedID(st.QueryRowContext(ctx, args...))
	}
	res, err := st.ExecContext(ctx, args...)
	if err != nil {
		return 0, false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return 0, false, nil
	}
	id, err = res.LastInsertId()
	return id, err == nil, err
}

// bind returns the statements bound to a transaction.
func (s *ingestStmts) bind(ctx context.Context, tx *sql.Tx) *ingestStmts {
	b := &ingestStmts{}
	src := s.fields()
	for i, dst := range b.fields() {
		*dst = tx.StmtContext(ctx, *src[i])
	}
	return b
}

func (s *ingestStmts) close() {
	for _, st := range s.fields() {
		if *st != nil {
			(*st).Close()
		}
	}
}

// batch gathers one transaction's rollup deltas and cache additions.
type batch struct {
	tx          *sql.Tx
	st          *ingestStmts
	idents      map[chatKey]*ident
	byID        map[int64]*ident
	groups      map[chatKey]*group
	members     map[[2]int64]bool
	memberships []membership // membership changes in order: joins new to the store and leaves (writeMembers)
	d           *deltas
	cal         calendar
	command     bool   // the batch holds a command, whose handler may read the rollups
	encoded     []byte // d as a deltas row, when the tally made it

	out outcome // what rollup did with the pending deltas rows
}

type interKey struct {
	cadre, youth int64
	day          string
	kind         counting.Kind
}
type memberKey struct {
	group, ident int64
	day          string
}
type memberAgg struct{ messages, inter, first, last int64 }

// membership is a group_members change: an identity seen in a group from first on, or, with
// leave, gone from it at first.
type membership struct {
	group, ident, first int64
	leave               bool
}
type cadreKey struct {
	cadre int64
	day   string
}
type weekKey struct {
	group      int64
	week, word string
}

// IngestBatch implements bot.Store: one transaction for the whole batch.
func (db *DB) IngestBatch(ctx context.Context, items []bot.Incoming) ([]bot.Stored, error) {
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("ingest batch: %w", err)
	}
	// A cancellable context makes the driver watch it with a goroutine per statement; the batch
	// is short and must commit whole, so its statements run without cancellation.
	ctx = context.WithoutCancel(ctx)
	out := make([]bot.Stored, len(items))
	b := &batch{}
	err := db.writeTx(ctx, func(tx *sql.Tx) error {
		*b = batch{ // afresh on each attempt: a transaction that lost a race runs again
			idents: map[chatKey]*ident{}, byID: map[int64]*ident{}, groups: map[chatKey]*group{}, members: map[[2]int64]bool{},
			d: newDeltas(), cal: calendar{},
		}
		b.tx = tx
		b.st = db.ins.bind(ctx, tx)
		if err := db.walPace(ctx, tx, len(items)); err != nil {
			return err
		}
		// Three passes: groups and senders, every message row, then what each new message
		// adds. SQLite writes the rows of one table faster in a run than interleaved with
		// other tables' rows. What a new message adds is worked out by a tally beside the
		// writer, at most a step (tallyStep) behind the message rows, so that the second core
		// counts while SQLite writes; the third pass then writes what the tally found.
		rs := make([]stored, len(items))
		for i := range items {
			var err error
			if rs[i], err = db.resolve(ctx, b, &items[i]); err != nil {
				return fmt.Errorf("message %s: %w", items[i].Event.MsgID, err)
			}
		}
		t := db.startTally(b, items, rs)
		defer t.finish() // on every way out: no tally outlives its batch
		for i := range items {
			if err := db.store(ctx, b, &items[i], &rs[i]); err != nil {
				return fmt.Errorf("message %s: %w", items[i].Event.MsgID, err)
			}
			if err := db.quoted(ctx, b, items, rs, t, i); err != nil {
				return fmt.Errorf("message %s: %w", items[i].Event.MsgID, err)
			}
		}
		if err := t.lookLate(ctx, db, b, items, rs); err != nil {
			return err
		}
		if err := t.counted(); err != nil {
			return err
		}
		for i := range items {
			r := &rs[i]
			if r.st.New {
				if err := db.record(ctx, b, &items[i], r); err != nil {
					return fmt.Errorf("message %s: %w", items[i].Event.MsgID, err)
				}
			}
			if err := db.journal(ctx, b.st.journal, &items[i], r.st, r.journal); err != nil {
				return err
			}
			out[i] = r.st
		}
		if err := db.writeMembers(ctx, b); err != nil {
			return err
		}
		if err := t.finish(); err != nil { // the deltas row is encoded
			return err
		}
		return db.rollup(ctx, b)
	})
	if err != nil {
		return nil, fmt.Errorf("ingest batch: %w", err)
	}
	db.committed(b.out)
	if b.out.settled {
		db.afterSettle(ctx, false)
	}
	db.mu.Lock()
	for k, v := range b.idents {
		db.idents[k] = v
		db.byID[v.id] = v
	}
	for k, v := range b.groups {
		db.groups[k] = v
	}
	for k := range b.members {
		db.members[k] = true
	}
	if db.dialect.postgres { // read only by servedFilter
		for i := range items {
			if ev := &items[i].Event; ev.Account != "" {
				db.served[[2]string{string(ev.Platform), ev.Account}] = true
			}
		}
	}
	db.mu.Unlock()
	return out, nil
}

// stored is what the first passes learnt about one event: its group, the identities it names
// and its row.
type stored struct {
	g        *group
	sender   *ident
	mentions []*ident // in the order of Event.Mentions, without those lacking an id
	peer     *ident   // a private chat's other side, when the bot's own account wrote
	st       bot.Stored

	author  *ident // who wrote the message a new one quotes, when known (quoted)
	late    bool   // the quoted message was not stored yet when this one was: looked up again after the pass
	day     string // the day the message counts for, and its interactions (tally)
	pairs   []counting.Pair
	journal *[2]string // the journal's row, for an event its handlers must see (journalRow)
}

// resolve finds (or registers) an event's group and the identities it names (the first pass).
// Every identity is looked up here, in the order of the events, so that a name carried by one
// event never overwrites the newer name of a later one; a message seen before may so still
// register a user it mentions, as its sender always could.
func (db *DB) resolve(ctx context.Context, b *batch, in *bot.Incoming) (stored, error) {
	ev := &in.Event
	var r stored
	var err error
	if ev.ChatKind == bot.Group {
		if r.g, r.st.NewGroup, err = db.group(ctx, b, ev); err != nil {
			return r, err
		}
		r.st.GroupID, r.st.GroupCadre = r.g.id, r.g.cadre
	}
	if ev.Sender.ID != "" {
		if r.sender, err = db.identity(ctx, b, ev.Platform, ev.Sender, ev.Time.Unix()); err != nil {
			return r, err
		}
		r.st.SenderID, r.st.SenderCadre, r.st.OptedOut = r.sender.id, r.sender.cadre, r.sender.optedOut
	}
	if ev.Kind == bot.System {
		return r, nil
	}
	for _, u := range ev.Mentions {
		if u.ID == "" {
			continue
		}
		i, err := db.identity(ctx, b, ev.Platform, u, ev.Time.Unix())
		if err != nil {
			return r, err
		}
		r.mentions = append(r.mentions, i)
	}
	if ev.ChatKind == bot.Private && ev.Self {
		if r.peer, err = db.identity(ctx, b, ev.Platform, bot.User{ID: ev.ChatID, Name: ev.ChatName}, ev.Time.Unix()); err != nil {
			return r, err
		}
	}
	return r, nil
}

// store inserts an event's message row (the second pass). A message seen before (a replay, a
// re-import, another bot in the same group) is not inserted again and changes nothing more.
func (db *DB) store(ctx context.Context, b *batch, in *bot.Incoming, r *stored) error {
	ev, st := &in.Event, &r.st
	// A youth who left the statistics leaves no text and no link to their identity: the row is
	// kept only so the message is still deduplicated.
	// Plain values (here and in the identity insert, once per message or new youth):
	// database/sql converts a named string type by reflection and an sql.Null* through its
	// Value method, an allocation or two each time.
	var text any = ev.Text
	senderID := st.SenderID
	if st.OptedOut {
		text, senderID = nil, 0
	}
	var err error
	st.MessageID, st.New, err = db.inserted(ctx, b.st.msg, string(ev.Platform), ev.ChatID, ev.MsgID, nullInt(st.GroupID),
		nullInt(senderID), string(ev.Kind), text, ev.ReplyTo, ev.Time.Unix())
	if err != nil {
		return fmt.Errorf("insert message: %w", err)
	}
	return nil
}

// quoted finds, for a new message that quotes another, who wrote the quoted one (second pass,
// right after the message's row), and hands the message to the tally. A quoted message that
// comes later in the batch is looked up again once every row is in (lookLate).
func (db *DB) quoted(ctx context.Context, b *batch, items []bot.Incoming, rs []stored, t *tally, i int) error {
	ev, r := &items[i].Event, &rs[i]
	if r.st.New && ev.Kind != bot.System && ev.ReplyTo != "" {
		a, err := db.author(ctx, b, ev)
		if err != nil {
			return err
		}
		if r.author = a; a != nil {
			r.st.ReplyToID = a.id
		} else {
			r.late = t.later(items, i)
		}
	}
	if (i+1)%tallyStep == 0 || i == len(items)-1 {
		t.stored <- i + 1
	}
	return nil
}

// tallyStep is how many stored events the writer hands the tally at a time: waking it for each
// one would cost more than it saves.
const tallyStep = 128

// tally works out what new messages add (memberships, interactions and rollup increments) on a
// goroutine of its own, in the order of the events, as the second pass stores their rows. It
// owns the batch's memberships until counted returns, and its deltas and command flag until
// finish returns: the writer writes interactions and memberships while it encodes the deltas.
type tally struct {
	stored  chan int      // how many events have their rows in, every tallyStep events
	late    chan struct{} // closed once late quotes are looked up (lookLate)
	tallied chan struct{} // closed when the tally has counted everything sent to it
	done    chan struct{} // closed when it has also encoded the batch's deltas row

	run               func() // counts what arrives on stored until it is closed, then encodes
	beside            bool   // run runs on a goroutine of its own, not in end
	err               error  // the first failure, read once counted or finish has returned
	lateClosed, ended bool
	index             map[msgKey]int // the batch's events by message, made when a quote is not found
}

// msgKey names a message: platform, chat and the platform's message id.
type msgKey struct{ platform, chat, msg string }

// later reports whether the message event i quotes comes later in the batch.
func (t *tally) later(items []bot.Incoming, i int) bool {
	if t.index == nil {
		t.index = make(map[msgKey]int, len(items))
		for j := range items {
			e := &items[j].Event
			t.index[msgKey{string(e.Platform), e.ChatID, e.MsgID}] = j
		}
	}
	e := &items[i].Event
	j, ok := t.index[msgKey{string(e.Platform), e.ChatID, e.ReplyTo}]
	return ok && j > i
}

// startTally starts counting the events of items as their indexes arrive on stored.
func (db *DB) startTally(b *batch, items []bot.Incoming, rs []stored) *tally {
	stored, late := make(chan int, len(items)/tallyStep+1), make(chan struct{})
	t := &tally{stored: stored, late: late, tallied: make(chan struct{}), done: make(chan struct{})}
	t.run = func() {
		defer close(t.done)
		t.err = db.tallyAll(b, items, rs, t)
		close(t.tallied)
		db.mu.Lock()
		deferred := db.deferEvery > 0
		db.mu.Unlock()
		if t.err == nil && deferred { // the batch's deltas row, should it keep one (rollup)
			b.encoded = b.d.encode()
		}
	}
	// A batch smaller than a step (steady traffic) is counted on the writer, by end: a
	// goroutine would only add a hand-off to each.
	if t.beside = len(items) >= tallyStep; t.beside {
		go t.run()
	}
	return t
}

// tallyAll counts the new messages among items as their indexes arrive on t.stored, and makes
// their journal rows.
func (db *DB) tallyAll(b *batch, items []bot.Incoming, rs []stored, t *tally) error {
	i := 0
	for upTo := range t.stored {
		for ; i < upTo; i++ {
			r := &rs[i]
			if !r.st.New {
				continue
			}
			if r.late {
				<-t.late
			}
			db.count(b, &items[i], r)
			var err error
			if r.journal, err = journalRow(&items[i], r.st); err != nil {
				return err
			}
		}
	}
	return nil
}

// lookLate looks up again the quoted messages that were not stored yet when the messages
// quoting them were, and lets the tally count those.
func (t *tally) lookLate(ctx context.Context, db *DB, b *batch, items []bot.Incoming, rs []stored) error {
	for i := range rs {
		if rs[i].late {
			a, err := db.author(ctx, b, &items[i].Event)
			if err != nil {
				return fmt.Errorf("message %s: %w", items[i].Event.MsgID, err)
			}
			if rs[i].author = a; a != nil {
				rs[i].st.ReplyToID = a.id
			}
		}
	}
	close(t.late)
	t.lateClosed = true
	return nil
}

// end tells the tally that no more events come, and runs it on the writer when it runs there.
// It may be called more than once, and on any path out of the transaction.
func (t *tally) end() {
	if t.ended {
		return
	}
	t.ended = true
	close(t.stored)
	if !t.lateClosed {
		close(t.late)
	}
	switch {
	case t.beside:
	case t.lateClosed: // the second pass went through: count on the writer
		t.run()
	default: // the batch failed: nothing to count
		close(t.tallied)
		close(t.done)
	}
}

// counted waits until the tally has counted every event sent to it: the interactions, journal
// rows and memberships are ready, and the batch's deltas row may still be encoding.
func (t *tally) counted() error {
	t.end()
	<-t.tallied
	return t.err
}

// finish waits until the tally is done, deltas row included, so that no tally outlives its
// batch. It may be called more than once, and on any path out of the transaction.
func (t *tally) finish() error {
	t.end()
	<-t.done
	return t.err
}

// count works out what a new message adds: memberships, notices' membership changes,
// interactions and rollup increments (the tally; record writes the rows).
func (db *DB) count(b *batch, in *bot.Incoming, r *stored) {
	ev, g, sender := &in.Event, r.g, r.sender
	at := ev.Time.Unix()
	day, week := b.cal.of(ev.Time)
	r.day = day
	if ev.Kind == bot.System {
		db.notice(b, ev, g, sender, at)
		return
	}
	if g != nil && sender != nil && !ev.Self && !sender.optedOut {
		db.member(b, g.id, sender.id, at)
	}

	_, _, isCmd := bot.ParseCommand(ev.Text)
	b.command = b.command || isCmd
	m := counting.Message{Group: ev.ChatKind == bot.Group, Sender: sender.party(), Command: isCmd}
	if r.author != nil {
		m.ReplyTo = r.author.party()
	}
	for _, p := range r.mentions {
		m.Mentions = append(m.Mentions, p.party())
	}
	if ev.ChatKind == bot.Private {
		db.mu.Lock()
		m.Owner = db.owners[string(ev.Platform)+"\x00"+ev.Account]
		db.mu.Unlock()
		if ev.Self {
			m.Sender = counting.Party{ID: -1, Cadre: m.Owner}
			m.Peer = r.peer.party()
		}
	}
	pairs := counting.Interactions(m)
	r.pairs = pairs
	for _, p := range pairs {
		b.d.inter[interKey{p.Cadre, p.Youth, day, p.Kind}]++
	}
	if r.st.OptedOut || sender == nil || ev.Self {
		return
	}
	if g != nil {
		b.d.addMember(memberKey{g.id, sender.id, day}, memberAgg{messages: 1, inter: int64(len(pairs)), first: at, last: at})
		// the other side of each interaction took part too
		for _, p := range pairs {
			if p.Youth != sender.id {
				b.d.addInter(memberKey{g.id, p.Youth, day})
			} else if c := cadreIdentity(p.Cadre, m); c != 0 {
				b.d.addInter(memberKey{g.id, c, day})
			}
		}
		for _, t := range in.Topics.Topics {
			b.d.topic[weekKey{g.id, week, t}]++
		}
		for _, w := range in.Topics.Keywords {
			b.d.keyword[weekKey{g.id, week, w}]++
		}
	}
	if sender.cadre != 0 {
		tagged := 0
		if len(in.Topics.Tags) > 0 {
			tagged = 1
		}
		b.d.addCadre(cadreKey{sender.cadre, day}, [2]int{1, tagged})
	}
}

// record writes what count found a new message adds: its interactions, and a recall's mark
// (the third pass). Memberships are written by writeMembers.
func (db *DB) record(ctx context.Context, b *batch, in *bot.Incoming, r *stored) error {
	ev := &in.Event
	if ev.Kind == bot.System {
		if ev.Notice == bot.NoticeRecall {
			if _, err := b.st.recall.ExecContext(ctx, ev.Platform, ev.ChatID, ev.Target); err != nil {
				return fmt.Errorf("recall: %w", err)
			}
		}
		return nil
	}
	for _, p := range r.pairs {
		if _, err := b.st.inter.ExecContext(ctx, p.Cadre, p.Youth, string(p.Kind), ev.Time.Unix(), r.day, nullInt(r.st.GroupID), r.st.MessageID); err != nil {
			return fmt.Errorf("interaction: %w", err)
		}
	}
	return nil
}

// calendar caches the day and week names of the days a batch touches: formatting them for
// every message costs more than the rest of the bookkeeping.
type calendar map[[2]int][2]string

func (c calendar) of(t time.Time) (day, week string) {
	z := t.In(period.Zone)
	k := [2]int{z.Year(), z.YearDay()}
	v, ok := c[k]
	if !ok {
		v = [2]string{period.Day(z), period.Week(z)}
		c[k] = v
	}
	return v[0], v[1]
}

// rollup writes the batch's rollup increments: at once, or, when deferred, as one pending
// deltas row, settling all pending rows when the interval has passed or the batch holds a command.
func (db *DB) rollup(ctx context.Context, b *batch) error {
	db.mu.Lock()
	every, since := db.deferEvery, time.Since(db.settledAt)
	pending := db.unsettled()
	b.out = outcome{d: b.d}
	db.mu.Unlock()
	var err error
	switch {
	case every <= 0 && !pending:
		return db.apply(ctx, b.tx, b.d)
	case every <= 0 || b.command || since >= every:
		b.out.settled = true
		b.out.upTo, err = db.settle(ctx, b.tx, b.d)
		return err
	}
	if b.d.empty() {
		return nil
	}
	if b.encoded == nil {
		b.encoded = b.d.encode()
	}
	b.out.kept, err = db.keep(ctx, b.tx, b.encoded)
	return err
}

// member records that an identity is in a group, once: known memberships are cached, and the
// batch's new ones are written together by writeMembers.
func (db *DB) member(b *batch, group, identity int64, at int64) {
	k := [2]int64{group, identity}
	if b.members[k] {
		return
	}
	db.mu.Lock()
	known := db.members[k]
	db.mu.Unlock()
	if known {
		return
	}
	b.members[k] = true
	b.memberships = append(b.memberships, membership{group, identity, at, false})
}

// writeMembers writes the batch's membership changes in the order they came: runs of joins
// several rows to a statement, in key order (as apply orders its rows), one who had left being
// back; a leave after the joins before it. One upsert so never holds one key twice (PostgreSQL
// refuses it), as join, leave, join again would make it.
func (db *DB) writeMembers(ctx context.Context, b *batch) error {
	ops := b.memberships
	for len(ops) > 0 {
		n := slices.IndexFunc(ops, func(m membership) bool { return m.leave })
		if n < 0 {
			n = len(ops)
		}
		joins := ops[:n]
		slices.SortFunc(joins, func(x, y membership) int {
			return cmp.Or(cmp.Compare(x.group, y.group), cmp.Compare(x.ident, y.ident))
		})
		u := &upserter{db: db, ctx: ctx, tx: b.tx}
		u.table("group_members")
		for _, m := range joins {
			u.row(m.group, m.ident, m.first)
		}
		if err := u.flush(); err != nil {
			return err
		}
		if n == len(ops) {
			break
		}
		l := ops[n]
		if _, err := b.tx.ExecContext(ctx, `UPDATE group_members SET left_at = ? WHERE group_id = ? AND identity_id = ?`, l.first, l.group, l.ident); err != nil {
			return fmt.Errorf("leave: %w", err)
		}
		ops = ops[n+1:]
	}
	b.memberships = nil
	return nil
}

// addInter counts one interaction for a member who did not send the message; first/last stay
// as they are, since they mark when the member spoke. A new aggregate starts with first and last
// at neutral values (noSpeech), which the rollup's MIN/MAX upsert and GroupStats ignore.
func (d *deltas) addInter(k memberKey) {
	d.addMember(k, memberAgg{inter: 1, first: noSpeech, last: 0})
}

// noSpeech is member_daily.first_at for a day on which the member only took part in
// interactions: larger than any time, so MIN(first_at) keeps the real first message.
const noSpeech = math.MaxInt64

// cadreIdentity finds, among the parties of a message, the identity bound to cadre c.
func cadreIdentity(c int64, m counting.Message) int64 {
	for _, p := range append([]counting.Party{m.ReplyTo}, m.Mentions...) {
		if p.Cadre == c && p.ID > 0 {
			return p.ID
		}
	}
	return 0
}

// notice applies what a system event changes in the group's member list: a join adds the
// member, a leave marks them gone (writeMembers writes both, in order). A recall is marked by
// record; a rename is kept in the name history by identity().
func (db *DB) notice(b *batch, ev *bot.Event, g *group, who *ident, at int64) {
	if g == nil || who == nil {
		return
	}
	switch ev.Notice {
	case bot.NoticeJoin:
		if !who.optedOut {
			db.member(b, g.id, who.id, at)
		}
	case bot.NoticeLeave:
		b.memberships = append(b.memberships, membership{g.id, who.id, at, true})
		k := [2]int64{g.id, who.id}
		db.mu.Lock()
		delete(db.members, k)
		db.mu.Unlock()
		delete(b.members, k)
	}
}

// author finds the identity that wrote the quoted message.
func (db *DB) author(ctx context.Context, b *batch, ev *bot.Event) (*ident, error) {
	var sid sql.NullInt64
	err := b.st.findMsg.QueryRowContext(ctx, ev.Platform, ev.ChatID, ev.ReplyTo).Scan(&sid)
	if err == sql.ErrNoRows || (err == nil && !sid.Valid) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("quoted message: %w", err)
	}
	if i := b.byID[sid.Int64]; i != nil {
		return i, nil
	}
	db.mu.Lock()
	i := db.byID[sid.Int64]
	db.mu.Unlock()
	if i != nil {
		return i, nil
	}
	i = &ident{id: sid.Int64}
	var c sql.NullInt64
	err = b.tx.QueryRowContext(ctx, `SELECT cadre_id, opted_out, name FROM identities WHERE id = ?`, sid.Int64).Scan(&c, &i.optedOut, &i.name)
	if err != nil {
		return nil, fmt.Errorf("quoted author: %w", err)
	}
	i.cadre = c.Int64
	return i, nil
}

// identity returns the identity of a platform user, creating it on first sight and keeping the
// history of the names it went by.
func (db *DB) identity(ctx context.Context, b *batch, p bot.Platform, u bot.User, at int64) (*ident, error) {
	key := chatKey{p, u.ID}
	i := b.idents[key]
	if i == nil {
		db.mu.Lock()
		i = db.idents[key]
		db.mu.Unlock()
	}
	name := u.Display()
	if i == nil {
		// A new youth is one cheap insert (the name it first went by stays in identities until a
		// rename puts it into the history); only an identity already stored is read back.
		i = &ident{name: name}
		id, inserted, err := db.inserted(ctx, b.st.identIns, string(p), u.ID, name, at)
		if err != nil {
			return nil, fmt.Errorf("identity: %w", err)
		}
		if inserted {
			i.id = id
		} else {
			var out int
			if err := b.st.identFind.QueryRowContext(ctx, p, u.ID).Scan(&i.id, &i.cadre, &out, &i.name); err != nil {
				return nil, fmt.Errorf("identity: %w", err)
			}
			i.optedOut = out != 0
		}
		b.idents[key], b.byID[i.id] = i, i
	}
	if renames(name, u.ID, i.name) && !i.optedOut {
		if err := rename(ctx, b.tx, i.id, name, at); err != nil {
			return nil, err
		}
		i = i.renamed(name)
		b.idents[key], b.byID[i.id] = i, i
	}
	return i, nil
}

// renames reports whether name, the name a platform user (userID) goes by now, is a new name for
// an identity called old: an empty name, or one that is only the user id, renames nobody.
func renames(name, userID, old string) bool { return name != "" && name != userID && name != old }

// rename gives an identity a new name. The name it had goes into the name history first (the
// first name an identity goes by stays on its row until a rename), then the new one, with the
// time it was first seen.
func rename(ctx context.Context, tx *sql.Tx, id int64, name string, at int64) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO identity_names (identity_id, name, first_at) SELECT id, name, first_at
		FROM identities WHERE id = ? AND name <> '' ON CONFLICT DO NOTHING`, id); err != nil {
		return fmt.Errorf("name history: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE identities SET name = ? WHERE id = ?`, name, id); err != nil {
		return fmt.Errorf("rename: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO identity_names (identity_id, name, first_at) VALUES (?, ?, ?)
		ON CONFLICT DO NOTHING`, id, name, at); err != nil {
		return fmt.Errorf("name history: %w", err)
	}
	return nil
}

// group returns the chat's group row, registering the group on first sight.
func (db *DB) group(ctx context.Context, b *batch, ev *bot.Event) (*group, bool, error) {
	key := chatKey{ev.Platform, ev.ChatID}
	g := b.groups[key]
	if g == nil {
		db.mu.Lock()
		g = db.groups[key]
		db.mu.Unlock()
	}
	fresh := false
	if g == nil {
		g = &group{}
		err := b.st.groupFind.QueryRowContext(ctx, ev.Platform, ev.ChatID).Scan(&g.id, &g.cadre, &g.name)
		if err == sql.ErrNoRows {
			g.id, fresh, err = db.inserted(ctx, b.st.groupIns, ev.Platform, ev.ChatID, ev.ChatName, ev.Time.Unix())
			if err != nil {
				return nil, false, fmt.Errorf("new group: %w", err)
			}
			g.name = ev.ChatName
			if !fresh { // another process registered it a moment ago
				err = b.st.groupFind.QueryRowContext(ctx, ev.Platform, ev.ChatID).Scan(&g.id, &g.cadre, &g.name)
			}
		}
		if err != nil {
			return nil, false, fmt.Errorf("group: %w", err)
		}
		b.groups[key] = g
	}
	if ev.ChatName != "" && ev.ChatName != g.name {
		if _, err := b.st.groupRename.ExecContext(ctx, ev.ChatName, g.id); err != nil {
			return nil, false, fmt.Errorf("rename group: %w", err)
		}
		c := *g
		c.name = ev.ChatName
		g = &c
		b.groups[key] = g
	}
	return g, fresh, nil
}

// upsertSQL is the statement for n rows of a rollup table.
func (d dialect) upsertSQL(table string, n int) string {
	r := rollups[table]
	ncol := strings.Count(r.cols, ",") + 1
	one := "(" + strings.TrimSuffix(strings.Repeat("?, ", ncol), ", ") + ")"
	return "INSERT INTO " + table + " (" + r.cols + ") VALUES " + strings.TrimSuffix(strings.Repeat(one+", ", n), ", ") +
		" ON CONFLICT (" + r.conflict + ") DO UPDATE SET " + d.expand(r.set)
}

// prepareUpserts prepares the full-size rollup statements once, at open (never inside a
// transaction: the one writer connection is busy then).
func (db *DB) prepareUpserts(ctx context.Context, w *sql.DB) (map[string]*sql.Stmt, error) {
	out := map[string]*sql.Stmt{}
	for table := range rollups {
		st, err := w.PrepareContext(ctx, db.dialect.upsertSQL(table, upsertRows))
		if err != nil {
			return nil, fmt.Errorf("prepare %s rollup: %w", table, err)
		}
		out[table] = st
	}
	return out, nil
}

// apply writes d to the rollup tables, each table's rows in key order, so two writers (two
// processes on a shared server) upserting the same keys never lock them in opposite orders.
func (db *DB) apply(ctx context.Context, tx *sql.Tx, d *deltas) error {
	u := &upserter{db: db, ctx: ctx, tx: tx}
	u.table("interaction_daily")
	for _, k := range sortedKeys(d.inter, func(a, b interKey) int {
		return cmp.Or(cmp.Compare(a.cadre, b.cadre), strings.Compare(a.day, b.day), strings.Compare(string(a.kind), string(b.kind)),
			cmp.Compare(a.youth, b.youth))
	}) {
		u.row(k.cadre, k.day, string(k.kind), k.youth, int64(d.inter[k]))
	}
	u.table("member_daily")
	for _, k := range sortedKeys(d.member, func(a, b memberKey) int {
		return cmp.Or(cmp.Compare(a.group, b.group), strings.Compare(a.day, b.day), cmp.Compare(a.ident, b.ident))
	}) {
		a := d.member[k]
		u.row(k.group, k.day, k.ident, a.messages, a.inter, a.first, a.last)
	}
	u.table("cadre_daily")
	for _, k := range sortedKeys(d.cadre, func(a, b cadreKey) int {
		return cmp.Or(cmp.Compare(a.cadre, b.cadre), strings.Compare(a.day, b.day))
	}) {
		a := d.cadre[k]
		u.row(k.cadre, k.day, int64(a[0]), int64(a[1]))
	}
	byWeek := func(a, b weekKey) int {
		return cmp.Or(cmp.Compare(a.group, b.group), strings.Compare(a.week, b.week), strings.Compare(a.word, b.word))
	}
	u.table("topic_weekly")
	for _, k := range sortedKeys(d.topic, byWeek) {
		u.row(k.group, k.week, k.word, int64(d.topic[k]))
	}
	u.table("keyword_weekly")
	for _, k := range sortedKeys(d.keyword, byWeek) {
		u.row(k.group, k.week, k.word, int64(d.keyword[k]))
	}
	return u.flush()
}

// sortedKeys returns m's keys in the order cmp gives.
func sortedKeys[K comparable, V any](m map[K]V, cmp func(a, b K) int) []K {
	keys := make([]K, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, cmp)
	return keys
}
