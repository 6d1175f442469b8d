package bot

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"
)

// settleStore stores everything and counts settles, noting how many events were stored at each.
type settleStore struct {
	mu      sync.Mutex
	stored  int
	settles []int
}

func (s *settleStore) IngestBatch(_ context.Context, items []Incoming) ([]Stored, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Stored, len(items))
	for i := range out {
		s.stored++
		out[i] = Stored{New: true, MessageID: int64(s.stored)}
	}
	return out, nil
}

func (s *settleStore) Settle(context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settles = append(s.settles, s.stored)
	return nil
}

// runEngine builds an engine from o and runs it until the test ends.
func runEngine(t *testing.T, o Options) (*Engine, context.Context) {
	t.Helper()
	e := NewEngine(o)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return e, ctx
}

// TestEngineSettlesWhenIdle: a burst is settled after its last event, and Wait returns only
// after that settle; a later event is settled again.
func TestEngineSettlesWhenIdle(t *testing.T) {
	store := &settleStore{}
	e, ctx := runEngine(t, Options{Store: store, Router: NewRouter()})

	ev := func(id string) Event {
		return Event{Platform: QQ, ChatKind: Group, ChatID: "g", MsgID: id, Sender: User{ID: "u"}, Kind: Text, Text: "hi", Time: time.Now()}
	}
	for i := range 500 {
		if err := e.Deliver(ctx, ev(string(rune('a'+i%26))+string(rune('a'+i/26)))); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	store.mu.Lock()
	got := append([]int(nil), store.settles...)
	store.mu.Unlock()
	if len(got) == 0 || got[len(got)-1] != 500 {
		t.Fatalf("settles at %v stored events, want the last one at 500 before Wait returned", got)
	}
	if _, err := e.DeliverWait(ctx, ev("late")); err != nil {
		t.Fatal(err)
	}
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	store.mu.Lock()
	defer store.mu.Unlock()
	if n := len(store.settles); n != len(got)+1 || store.settles[n-1] != 501 {
		t.Fatalf("settles %v, want one more at 501", store.settles)
	}
}

// TestWaitSettlesWithoutIdling: a caller in Wait does not wait out SettleDelay (an hour here):
// the writer settles as soon as its queue is empty, whether Wait began before the last commit
// or after it. Without Wait, nothing is settled before the delay.
func TestWaitSettlesWithoutIdling(t *testing.T) {
	store := &settleStore{}
	e, ctx := runEngine(t, Options{Store: store, Router: NewRouter(), SettleDelay: time.Hour})
	ev := func(id string) Event {
		return Event{Platform: QQ, ChatKind: Group, ChatID: "g", MsgID: id, Sender: User{ID: "u"}, Kind: Text, Text: "hi", Time: time.Now()}
	}
	settles := func() []int {
		store.mu.Lock()
		defer store.mu.Unlock()
		return append([]int(nil), store.settles...)
	}
	// Committed: the writer idles, a settle owed. The second event is taken only after the writer
	// has passed the point where it would have settled after the first.
	for _, id := range []string{"a1", "a2"} {
		if _, err := e.DeliverWait(ctx, ev(id)); err != nil {
			t.Fatal(err)
		}
	}
	if got := settles(); len(got) != 0 {
		t.Fatalf("settled at %v before anyone waited, with an hour's SettleDelay", got)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := e.Wait(wctx); err != nil {
		t.Fatalf("Wait after the commit: %v (it waited out SettleDelay)", err)
	}
	for i := range 300 { // Wait begins while these are still being written
		if err := e.Deliver(ctx, ev(fmt.Sprint("b", i))); err != nil {
			t.Fatal(err)
		}
	}
	if err := e.Wait(wctx); err != nil {
		t.Fatalf("Wait during a burst: %v (it waited out SettleDelay)", err)
	}
	if got := settles(); len(got) < 2 || got[0] != 2 || got[len(got)-1] != 302 {
		t.Fatalf("settles at %v stored events, want the first at 2 and the last at 302", got)
	}
}

// TestWaitSettlesEarlyOncePerCall: a caller in Wait gets one settle without SettleDelay (an hour
// here); events other goroutines deliver while it still waits (a handler holds it) are not
// settled at every batch but after the delay, as without a waiter.
func TestWaitSettlesEarlyOncePerCall(t *testing.T) {
	store := &settleStore{}
	release := make(chan struct{})
	r := NewRouter()
	r.Handle(Command{Name: "等", Help: "等一下", Handler: func(c *Context) error {
		<-release
		return nil
	}})
	e, ctx := runEngine(t, Options{Store: store, Router: r, SettleDelay: time.Hour})
	ev := func(id, text string) Event {
		return Event{Platform: QQ, ChatKind: Group, ChatID: "g", MsgID: id, Sender: User{ID: "u"}, Kind: Text, Text: text, Time: time.Now()}
	}
	settles := func() int {
		store.mu.Lock()
		defer store.mu.Unlock()
		return len(store.settles)
	}
	if _, err := e.DeliverWait(ctx, ev("hold", "/等")); err != nil { // its handler keeps Wait waiting
		t.Fatal(err)
	}
	wctx, cancel := context.WithCancel(ctx)
	waited := make(chan error, 1)
	go func() { waited <- e.Wait(wctx) }()
	for deadline := time.Now().Add(10 * time.Second); settles() == 0; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no settle for the caller in Wait")
		}
	}
	for i := range 20 { // each commit leaves the queue empty while the caller still waits
		if _, err := e.DeliverWait(ctx, ev(fmt.Sprint("m", i), "hi")); err != nil {
			t.Fatal(err)
		}
	}
	if n := settles(); n != 1 {
		t.Errorf("%d settles while one caller waited through 20 batches, want 1", n)
	}
	close(release)
	cancel() // the 20 events' settle waits out the hour
	if err := <-waited; err == nil {
		t.Error("Wait returned nil with a settle still owed")
	}
}

// journalStore is a settleStore that also keeps a journal: two events left by a previous run,
// and the ids marked handled.
type journalStore struct {
	settleStore
	left    []Pending
	handled chan int64
}

func (j *journalStore) Unhandled(context.Context) ([]Pending, error) { return j.left, nil }

func (j *journalStore) Handled(_ context.Context, id int64) error {
	j.handled <- id
	return nil
}

// TestEngineResumesUnhandledEvents: events the last run committed but did not handle are
// handled at start and marked handled; their replies carry keys made of the event, the same each
// time, so the outbox can drop a reply queued before the crash.
func TestEngineResumesUnhandledEvents(t *testing.T) {
	left := func(id string, msg int64) Pending {
		return Pending{Event: Event{Platform: QQ, ChatKind: Group, ChatID: "g", MsgID: id, Sender: User{ID: "u"}, Kind: Text,
			Text: "/帮助", Time: time.Now()}, Stored: Stored{MessageID: msg, New: true}}
	}
	store := &journalStore{left: []Pending{left("m1", 11), left("m2", 12)}, handled: make(chan int64, 10)}
	r := NewRouter()
	r.Handle(Command{Name: "帮助", Help: "帮助", Handler: func(c *Context) error {
		if err := c.Reply("第一条"); err != nil {
			return err
		}
		return c.Reply("第二条")
	}})
	out := &memOut{}
	e, ctx := runEngine(t, Options{Store: store, Router: r, Outbox: out})
	got := map[int64]bool{}
	for range 2 {
		select {
		case id := <-store.handled:
			got[id] = true
		case <-time.After(10 * time.Second):
			t.Fatalf("handled so far %v, want 11 and 12", got)
		}
	}
	if !got[11] || !got[12] {
		t.Fatalf("handled %v, want 11 and 12", got)
	}
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	keys := map[string]bool{}
	for _, m := range out.msgs {
		keys[m.Key] = true
	}
	for _, k := range []string{"handled|qq|g|m1|1", "handled|qq|g|m1|2", "handled|qq|g|m2|1", "handled|qq|g|m2|2"} {
		if !keys[k] {
			t.Errorf("no reply keyed %q among %v", k, keys)
		}
	}
}

// TestReplyKeysSurviveMiddleware: a handler that queues a message and then fails gets its
// error reply queued too; the Timeout middleware's copy of the context does not restart the
// numbering of reply keys (which made the error reply a "duplicate" of the first).
func TestReplyKeysSurviveMiddleware(t *testing.T) {
	r := NewRouter()
	r.Handle(Command{Name: "活动", Help: "活动", Handler: func(c *Context) error {
		if err := c.Reply("已记录"); err != nil {
			return err
		}
		return &UserError{Msg: "参加者里有人没找到"}
	}})
	out := &memOut{}
	e, ctx := runEngine(t, Options{Store: &settleStore{}, Router: r, Outbox: out})
	ev := Event{Platform: QQ, ChatKind: Group, ChatID: "g", MsgID: "m9", Sender: User{ID: "u"}, Kind: Text, Text: "/活动", Time: time.Now()}
	if err := e.Deliver(ctx, ev); err != nil {
		t.Fatal(err)
	}
	if err := e.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	out.mu.Lock()
	defer out.mu.Unlock()
	if len(out.msgs) != 2 || out.msgs[0].Key == out.msgs[1].Key || out.msgs[1].Text != "参加者里有人没找到" {
		t.Fatalf("queued %+v, want the reply and the error reply under two keys", out.msgs)
	}
}
