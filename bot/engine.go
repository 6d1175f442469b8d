package bot

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Topics is what text analysis found in a message: taxonomy topics, #话题# tags and keywords.
type Topics struct {
	Topics   []string
	Tags     []string
	Keywords []string
}

// Incoming is an event on its way into storage, with its analysis.
type Incoming struct {
	Event  Event
	Topics Topics
	// Live is set by the engine, which will hand the event to its handlers: a Journal store keeps
	// such an event, if it needs handling, until Handled is called. Imports leave it unset.
	Live bool
}

// Pending is an event committed for handling whose handler has not finished.
type Pending struct {
	Event  Event
	Stored Stored
}

// Journal is a Store that keeps each live event needing handling, in the transaction that stores
// it, until its handler has run: an event committed just before a crash is handled after the
// restart. Replies carry keys derived from the event (see Context.Send), so handling an event
// again does not queue its answers twice.
type Journal interface {
	Unhandled(ctx context.Context) ([]Pending, error)
	Handled(ctx context.Context, messageID int64) error
}

// Store commits a batch of incoming events in one transaction and reports, for each, what it
// stored. A duplicate (same platform, chat and message id) comes back with New false. The
// engine reuses items for its next batch: IngestBatch keeps no reference to it.
type Store interface {
	IngestBatch(ctx context.Context, items []Incoming) ([]Stored, error)
}

// Settler is a Store that may hold rollup increments back under a burst; the engine settles
// them once its queue has stayed empty for Options.SettleDelay, so what readers see lags a
// burst by moments only, or at once when its queue is empty and a caller has just begun to Wait.
// Wait returns only after that settle.
type Settler interface {
	Settle(ctx context.Context) error
}

// Options configure an Engine. Store and Router are required.
type Options struct {
	Store   Store
	Router  *Router
	Outbox  Enqueuer
	Analyze func(text string) Topics // nil: no topic analysis
	Log     *slog.Logger
	Now     func() time.Time

	QueueSize      int           // events waiting for the writer; Deliver blocks when full (default 8192)
	BatchSize      int           // events per transaction at most (default 2048)
	Workers        int           // handler goroutines (default 4)
	HandlerTimeout time.Duration // per handler (default 30 s)
	// StoreRetry is the first wait after storage failed, doubled each round up to 100 times
	// that (default 50 ms, so at most 5 s between tries).
	StoreRetry time.Duration
	// SettleDelay is how long the queue must stay empty before the engine settles the rollups
	// a Settler held back (default 50 ms): a pause between two parts of a burst is not idleness.
	SettleDelay time.Duration
}

// Engine takes events from adapters through normalize → dedupe → store → handlers → outbox.
// Deliver is cheap and never waits for handlers; one writer goroutine batches events into
// transactions; handlers run on their own workers, only for events stored for the first time.
type Engine struct {
	o       Options
	queue   chan item
	jobs    chan job
	handler Handler

	mu      sync.Mutex
	cond    *sync.Cond
	pending int  // delivered events not yet stored and handled
	waiters int  // callers in Wait
	early   bool // a caller in Wait asked for the next settle without SettleDelay (takeEarly)

	hurry chan struct{} // wakes the writer when a caller starts waiting
	ins   []Incoming    // the writer's batch of events, reused (incomings)

	received, stored, duplicates, refused, failed atomic.Int64
}

type item struct {
	in   Incoming
	done chan<- result

	fails int   // times storage failed this event on its own
	err   error // the last of those failures
}

type result struct {
	st  Stored
	err error
}

type job struct {
	ev Event
	st Stored
}

// NewEngine builds an engine; call Run to start it.
func NewEngine(o Options) *Engine {
	if o.Store == nil || o.Router == nil {
		panic("bot: engine needs a store and a router")
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.QueueSize <= 0 {
		o.QueueSize = 8192
	}
	if o.BatchSize <= 0 {
		o.BatchSize = 2048
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.HandlerTimeout <= 0 {
		o.HandlerTimeout = 30 * time.Second
	}
	if o.StoreRetry <= 0 {
		o.StoreRetry = 50 * time.Millisecond
	}
	if o.SettleDelay <= 0 {
		o.SettleDelay = 50 * time.Millisecond
	}
	e := &Engine{o: o, queue: make(chan item, o.QueueSize), jobs: make(chan job, o.QueueSize), hurry: make(chan struct{}, 1)}
	e.cond = sync.NewCond(&e.mu)
	h := o.Router.Serve
	for _, mw := range []Middleware{Timeout(o.HandlerTimeout), Errors(), Recover()} {
		h = mw(h)
	}
	e.handler = h
	return e
}

// Deliver implements Sink: it normalizes the event, analyses its text and queues it for the
// writer. It blocks only while the queue is full (back-pressure), or until ctx ends.
func (e *Engine) Deliver(ctx context.Context, ev Event) error {
	return e.deliver(ctx, ev, nil)
}

// DeliverWait delivers an event and waits until it is committed, returning what was stored.
// Imports and the console use it; adapters use Deliver.
func (e *Engine) DeliverWait(ctx context.Context, ev Event) (Stored, error) {
	done := make(chan result, 1)
	if err := e.deliver(ctx, ev, done); err != nil {
		return Stored{}, err
	}
	select {
	case r := <-done:
		return r.st, r.err
	case <-ctx.Done():
		return Stored{}, ctx.Err()
	}
}

func (e *Engine) deliver(ctx context.Context, ev Event, done chan<- result) error {
	e.received.Add(1)
	if err := Normalize(&ev, e.o.Now()); err != nil {
		e.refused.Add(1)
		e.o.Log.Warn("event refused", "platform", ev.Platform, "chat", ev.ChatID, "reason", err)
		return err
	}
	in := Incoming{Event: ev, Live: true}
	if e.o.Analyze != nil && ev.Kind == Text && ev.Text != "" {
		in.Topics = e.o.Analyze(ev.Text)
	}
	e.add(1)
	select {
	case e.queue <- item{in: in, done: done}:
		return nil
	case <-ctx.Done():
		e.add(-1)
		return ctx.Err()
	}
}

// Run starts the writer and the handler workers and returns when ctx ends, after the queue is
// written and running handlers have finished.
func (e *Engine) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	for i := 0; i < e.o.Workers; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range e.jobs {
				e.handle(ctx, j)
			}
		}()
	}
	e.resume(ctx)
	e.write(ctx)
	close(e.jobs)
	wg.Wait()
	return nil
}

// write is the single writer: it drains the queue into batches until ctx ends, then writes
// what is still queued or held with a short grace period, without handlers, so that nothing
// delivered is dropped. Events storage could not take are held, in order, at the head of the next
// batch and retried with back-off (Options.StoreRetry) for as long as it takes: a busy or full
// database delays events, and Deliver blocks once the queue is full, but loses none. Order is kept,
// but for one case: once an outage has lasted maxFails rounds, the events at its head are
// suspected and passed over, and if storage comes back in the middle of a round, one event is
// stored before the suspects tried just before it (one event overtakes, once per outage).
func (e *Engine) write(ctx context.Context) {
	// Stores are not cut short by ctx: a batch under way at shutdown is finished, not failed.
	storeCtx, stop, dispatch := context.WithoutCancel(ctx), ctx.Done(), true
	buf := make([]item, 0, e.o.BatchSize)
	var held []item
	settler, _ := e.o.Store.(Settler)
	owed := false // a settle is due once the queue stays empty; it counts as pending work
	idle := time.NewTimer(e.o.SettleDelay)
	idle.Stop()
	settle := func() {
		if err := settler.Settle(storeCtx); err != nil { // the increments stay pending for the next settle
			e.o.Log.Warn("settle rollups", "err", err)
		}
		owed = false
		e.add(-1)
	}
	for round := 0; ; {
		if dispatch && ctx.Err() != nil {
			grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer cancel()
			storeCtx, stop, dispatch = grace, grace.Done(), false
		}
		batch := held
		if len(batch) == 0 && dispatch {
			if owed && len(e.queue) == 0 && e.takeEarly() {
				settle() // somebody waits for this: no point in waiting out SettleDelay
				continue
			}
			var wake <-chan time.Time
			if owed {
				wake = idle.C
			}
			select {
			case it := <-e.queue:
				batch = append(buf[:0], it)
			case <-wake:
				settle()
				continue
			case <-e.hurry:
				continue
			case <-ctx.Done():
				continue
			}
		}
	fill:
		for len(batch) < e.o.BatchSize {
			select {
			case it := <-e.queue:
				batch = append(batch, it)
			default:
				break fill
			}
		}
		if len(batch) == 0 {
			if owed {
				settle()
			}
			return
		}
		// The settle is owed before commit finishes the batch's events, so Wait cannot slip
		// through between the last event finishing and the settle being counted.
		if settler != nil && !owed {
			owed = true
			e.add(1)
		}
		held = e.commit(storeCtx, batch, dispatch)
		if settler != nil {
			idle.Reset(e.o.SettleDelay)
		}
		if len(held) == 0 {
			round = 0
			continue
		}
		round++
		wait := min(e.o.StoreRetry<<min(round-1, 16), 100*e.o.StoreRetry)
		e.o.Log.Warn("store failed, events held for retry", "held", len(held), "round", round, "wait", wait, "err", held[0].err)
		select {
		case <-time.After(wait):
		case <-stop:
		}
	}
}

// maxFails is how often an event must fail on its own before it is suspected: then it no longer
// holds back the events behind it, and if they store while it still fails, storage works and
// refuses that event: it is dropped (logged, counted as failed).
const maxFails = 5

// commit stores one batch and returns the events to retry, in order. A failed batch is tried
// again one event at a time, in order, up to the first event that fails (it and the rest are
// held, so order is kept while storage is down); a suspected event (failed maxFails times) is
// passed over instead: once the next event stores, it gets one more try right away and is
// dropped if that fails too. Once ctx has ended (the shutdown grace period is over) failures are
// final.
func (e *Engine) commit(ctx context.Context, batch []item, dispatch bool) []item {
	sts, err := e.o.Store.IngestBatch(ctx, e.incomings(batch))
	if err == nil {
		for i, it := range batch {
			e.finish(ctx, it, result{st: sts[i]}, dispatch)
		}
		return nil
	}
	done := make([]bool, len(batch)) // stored, or dropped: finished either way
	if len(batch) == 1 {
		// That was its own try: count it.
		batch[0].fails++
		batch[0].err = err
	} else {
		var passed []int // suspects that failed this round and were passed over
		for i := range batch {
			if !e.storeOne(ctx, &batch[i], dispatch) {
				if batch[i].fails < maxFails {
					break // it may well store next time: the rest waits behind it
				}
				passed = append(passed, i)
				continue
			}
			done[i] = true
			// Storage works: the suspects passed over get one last try now, so that this one event
			// is all that overtakes them; those that still fail are refused for good.
			for _, j := range passed {
				done[j] = true
				if !e.storeOne(ctx, &batch[j], dispatch) {
					e.finish(ctx, batch[j], result{err: batch[j].err}, dispatch)
				}
			}
			passed = passed[:0]
		}
	}
	var held []item
	for i, it := range batch {
		switch {
		case done[i]:
		case ctx.Err() != nil:
			e.finish(ctx, it, result{err: cmp.Or(it.err, err)}, dispatch)
		default:
			held = append(held, it)
		}
	}
	return held
}

// storeOne stores a single event and finishes it, or counts its failure.
func (e *Engine) storeOne(ctx context.Context, it *item, dispatch bool) bool {
	sts, err := e.o.Store.IngestBatch(ctx, []Incoming{it.in})
	if err != nil {
		it.fails++
		it.err = err
		return false
	}
	e.finish(ctx, *it, result{st: sts[0]}, dispatch)
	return true
}

// incomings returns the events of batch in the writer's reusable slice (Store.IngestBatch keeps
// no reference to it).
func (e *Engine) incomings(batch []item) []Incoming {
	e.ins = e.ins[:0]
	for i := range batch {
		e.ins = append(e.ins, batch[i].in)
	}
	return e.ins
}

func (e *Engine) finish(ctx context.Context, it item, r result, dispatch bool) {
	switch {
	case r.err != nil:
		e.failed.Add(1)
		e.o.Log.Error("event not stored", "platform", it.in.Event.Platform, "chat", it.in.Event.ChatID, "msg", it.in.Event.MsgID, "err", r.err)
	case r.st.New:
		e.stored.Add(1)
	default:
		e.duplicates.Add(1)
	}
	if it.done != nil {
		it.done <- r
	}
	if r.err == nil && dispatch && NeedsHandling(&it.in.Event, r.st) {
		select {
		case e.jobs <- job{ev: it.in.Event, st: r.st}:
			return
		case <-ctx.Done():
		}
	}
	e.add(-1)
}

// NeedsHandling keeps ordinary chatter off the handler workers: only commands, mentions of the
// bot, private messages, a cadre's quotes (the cadre may be answering a question), notices and
// first contact with a group go to handlers. Replays and duplicates never do.
func NeedsHandling(ev *Event, st Stored) bool {
	if !st.New || ev.Self {
		return false
	}
	if st.NewGroup || ev.Kind == System || ev.AtBot || ev.ChatKind == Private || (ev.ReplyTo != "" && st.SenderCadre != 0) {
		return true
	}
	_, _, isCmd := ParseCommand(ev.Text)
	return isCmd && ev.Kind == Text
}

func (e *Engine) handle(ctx context.Context, j job) {
	defer e.add(-1)
	c := NewContext(ctx, &j.ev, j.st, e.o.Outbox, e.o.Log)
	if e.o.Outbox == nil {
		c.out = dropOutbox{log: e.o.Log}
	}
	if err := e.handler(c); err != nil {
		e.o.Log.Error("handler", "err", err)
	}
	if jr, ok := e.o.Store.(Journal); ok && j.st.MessageID != 0 && ctx.Err() == nil {
		if err := jr.Handled(context.WithoutCancel(ctx), j.st.MessageID); err != nil {
			e.o.Log.Warn("journal: mark handled", "msg", j.st.MessageID, "err", err) // handled again after a restart
		}
	}
}

// resume hands the events a previous run committed but did not finish handling to the workers.
func (e *Engine) resume(ctx context.Context) {
	jr, ok := e.o.Store.(Journal)
	if !ok {
		return
	}
	pending, err := jr.Unhandled(ctx)
	if err != nil {
		e.o.Log.Error("journal: unhandled events", "err", err)
		return
	}
	if len(pending) > 0 {
		e.o.Log.Info("handling events left by the last run", "n", len(pending))
	}
	for _, p := range pending {
		e.add(1)
		select {
		case e.jobs <- job{ev: p.Event, st: p.Stored}:
		case <-ctx.Done():
			e.add(-1)
			return
		}
	}
}

type dropOutbox struct{ log *slog.Logger }

func (d dropOutbox) Enqueue(_ context.Context, m Outgoing) error {
	d.log.Warn("no outbox: reply dropped", "chat", m.Chat.ID)
	return errors.New("no outbox configured")
}

func (e *Engine) add(n int) {
	e.mu.Lock()
	e.pending += n
	if e.pending == 0 {
		e.cond.Broadcast()
	}
	e.mu.Unlock()
}

// takeEarly reports whether a caller in Wait asked for a settle without SettleDelay since the
// last such settle, and takes the request: one early settle serves every caller waiting then.
// Traffic that goes on while they wait is settled after the delay again, not at every batch.
func (e *Engine) takeEarly() bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	early := e.early
	e.early = false
	return early
}

// Wait blocks until every event delivered so far is stored and handled, or ctx ends. Rollups
// held back by a burst are settled as soon as the writer's queue is empty, without waiting out
// Options.SettleDelay: a caller who waits wants them now. That goes for one settle per call:
// events other goroutines deliver while it waits are settled after the delay, as usual.
func (e *Engine) Wait(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		e.mu.Lock()
		e.cond.Broadcast()
		e.mu.Unlock()
	})
	defer stop()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.pending > 0 {
		e.waiters++
		e.early = true
		defer func() {
			if e.waiters--; e.waiters == 0 {
				e.early = false // nobody waits: the next settle waits out SettleDelay
			}
		}()
		select {
		case e.hurry <- struct{}{}:
		default: // the writer has a wake-up coming already
		}
	}
	for e.pending > 0 {
		if ctx.Err() != nil {
			return fmt.Errorf("wait for engine: %w", ctx.Err())
		}
		e.cond.Wait()
	}
	return nil
}

// EngineStats are counters since start.
type EngineStats struct {
	Received, Stored, Duplicates, Refused, Failed int64
}

// Stats returns the counters.
func (e *Engine) Stats() EngineStats {
	return EngineStats{e.received.Load(), e.stored.Load(), e.duplicates.Load(), e.refused.Load(), e.failed.Load()}
}
