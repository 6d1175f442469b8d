package bot

import (
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
}

// Store commits a batch of incoming events in one transaction and reports, for each, what it
// stored. A duplicate (same platform, chat and message id) comes back with New false.
type Store interface {
	IngestBatch(ctx context.Context, items []Incoming) ([]Stored, error)
}

// Settler is a Store that may hold rollup increments back under a burst; the engine settles
// them once its queue has stayed empty for settleDelay, so what readers see lags a burst by
// moments only, and Wait returns only after that settle.
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
	pending int // delivered events not yet stored and handled

	received, stored, duplicates, refused, failed atomic.Int64
}

type item struct {
	in   Incoming
	done chan<- result
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
	e := &Engine{o: o, queue: make(chan item, o.QueueSize), jobs: make(chan job, o.QueueSize)}
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
	in := Incoming{Event: ev}
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
	e.write(ctx)
	close(e.jobs)
	wg.Wait()
	return nil
}

// settleDelay is how long the queue must stay empty before the engine settles the rollups: a
// pause between two parts of a burst is not idleness.
const settleDelay = 50 * time.Millisecond

// write is the single writer: it drains the queue into batches until ctx ends, then writes
// what is still queued with a short grace period so that nothing delivered is dropped.
func (e *Engine) write(ctx context.Context) {
	batch := make([]item, 0, e.o.BatchSize)
	settler, _ := e.o.Store.(Settler)
	owed := false // a settle is due once the queue stays empty; it counts as pending work
	idle := time.NewTimer(settleDelay)
	idle.Stop()
	settle := func(ctx context.Context) {
		if err := settler.Settle(ctx); err != nil { // the increments stay pending for the next settle
			e.o.Log.Warn("settle rollups", "err", err)
		}
		owed = false
		e.add(-1)
	}
	for {
		var wake <-chan time.Time
		if owed {
			wake = idle.C
		}
		select {
		case it := <-e.queue:
			batch = append(batch[:0], it)
		case <-wake:
			settle(ctx)
			continue
		case <-ctx.Done():
			grace, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			for {
				batch = batch[:0]
				for len(batch) < e.o.BatchSize {
					select {
					case it := <-e.queue:
						batch = append(batch, it)
						continue
					default:
					}
					break
				}
				if len(batch) == 0 {
					if owed {
						settle(grace)
					}
					cancel()
					return
				}
				e.commit(grace, batch, false)
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
		e.commit(ctx, batch, true)
		if settler != nil {
			if !owed {
				owed = true
				e.add(1)
			}
			idle.Reset(settleDelay)
		}
	}
}

// commit stores one batch, retrying with back-off while storage fails (busy, disk full), and
// falling back to one event at a time so one bad event cannot hold back the others.
func (e *Engine) commit(ctx context.Context, batch []item, dispatch bool) {
	ins := make([]Incoming, len(batch))
	for i, it := range batch {
		ins[i] = it.in
	}
	sts, err := e.o.Store.IngestBatch(ctx, ins)
	for attempt := 1; err != nil && attempt < 5 && ctx.Err() == nil; attempt++ {
		e.o.Log.Warn("store batch failed, retrying", "size", len(batch), "attempt", attempt, "err", err)
		select {
		case <-time.After(time.Duration(attempt*attempt) * 50 * time.Millisecond):
		case <-ctx.Done():
		}
		sts, err = e.o.Store.IngestBatch(ctx, ins)
	}
	if err != nil && len(batch) > 1 {
		for i := range batch {
			e.commit(ctx, batch[i:i+1], dispatch)
		}
		return
	}
	for i, it := range batch {
		r := result{err: err}
		if err == nil {
			r.st = sts[i]
		}
		e.finish(ctx, it, r, dispatch)
	}
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
	if r.err == nil && dispatch && needsHandling(&it.in.Event, r.st) {
		select {
		case e.jobs <- job{ev: it.in.Event, st: r.st}:
			return
		case <-ctx.Done():
		}
	}
	e.add(-1)
}

// needsHandling keeps ordinary chatter off the handler workers: only commands, mentions of the
// bot, private messages, quotes (a cadre may be answering a question), notices and first
// contact with a group go to handlers. Replays and duplicates never do.
func needsHandling(ev *Event, st Stored) bool {
	if !st.New || ev.Self {
		return false
	}
	if st.NewGroup || ev.Kind == System || ev.AtBot || ev.ChatKind == Private || ev.ReplyTo != "" {
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

// Wait blocks until every event delivered so far is stored and handled, or ctx ends.
func (e *Engine) Wait(ctx context.Context) error {
	stop := context.AfterFunc(ctx, func() {
		e.mu.Lock()
		e.cond.Broadcast()
		e.mu.Unlock()
	})
	defer stop()
	e.mu.Lock()
	defer e.mu.Unlock()
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
