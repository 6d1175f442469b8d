package bot

import (
	"context"
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

// TestEngineSettlesWhenIdle: a burst is settled once, after its last event, and Wait returns
// only after that settle; a later event is settled again.
func TestEngineSettlesWhenIdle(t *testing.T) {
	store := &settleStore{}
	e := NewEngine(Options{Store: store, Router: NewRouter()})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { e.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()

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
