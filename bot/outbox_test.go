package bot

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// memStore is an in-memory OutboxStore.
type memStore struct {
	mu   sync.Mutex
	rows []Outgoing
	st   map[int64]SendResult
}

func (s *memStore) AddOutgoing(_ context.Context, m Outgoing) (int64, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.rows {
		if m.Key != "" && r.Key == m.Key {
			return 0, true, nil
		}
	}
	m.ID = int64(len(s.rows) + 1)
	s.rows = append(s.rows, m)
	return m.ID, false, nil
}

func (s *memStore) DueOutgoing(_ context.Context, now time.Time, limit int) ([]Outgoing, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Outgoing
	for _, r := range s.rows {
		res, ok := s.st[r.ID]
		if ok && (res.Status != "retry" || res.Next.After(now)) {
			continue
		}
		r.Attempts = res.Attempts
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (s *memStore) MarkOutgoing(_ context.Context, id int64, r SendResult) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st[id] = r
	return nil
}

type fakeSender struct {
	sent  []time.Time
	texts []string
	now   *time.Time
	fail  int // fail this many sends with ErrRateLimited first
}

func (f *fakeSender) Send(_ context.Context, m Outgoing) (string, error) {
	if f.fail > 0 {
		f.fail--
		return "", ErrRateLimited
	}
	f.sent = append(f.sent, *f.now)
	f.texts = append(f.texts, m.Text)
	return "", nil
}

// TestOutboxLimits runs the outbox on a fake clock: one chat gets at most one message per 2 s,
// the account at most 20 a minute, in order, and a rate-limit answer pauses the platform.
func TestOutboxLimits(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	store := &memStore{st: map[int64]SendResult{}}
	snd := &fakeSender{now: &now, fail: 1}
	ob := NewOutbox(store, map[Platform]Sender{WeChat: snd}, map[Platform]Limits{WeChat: {PerChat: 2 * time.Second, PerMinute: 20, RateLimitWait: 30 * time.Second}},
		OutboxOptions{Now: func() time.Time { return now }})
	for i := 0; i < 30; i++ {
		chat := Chat{Platform: WeChat, Kind: Group, ID: []string{"a", "b", "c"}[i%3]}
		if err := ob.Enqueue(ctx, Outgoing{Chat: chat, Text: string(rune('A' + i))}); err != nil {
			t.Fatal(err)
		}
	}
	if err := ob.Enqueue(ctx, Outgoing{Chat: Chat{Platform: WeChat, ID: "a"}, Text: "dup", Key: "k"}); err != nil {
		t.Fatal(err)
	}
	if err := ob.Enqueue(ctx, Outgoing{Chat: Chat{Platform: WeChat, ID: "a"}, Text: "dup", Key: "k"}); err != nil {
		t.Fatal(err)
	}
	start := now
	for step := 0; step < 600 && len(snd.sent) < 31; step++ {
		wait, err := ob.Pass(ctx)
		if err != nil {
			t.Fatal(err)
		}
		now = now.Add(wait)
	}
	if len(snd.sent) != 31 {
		t.Fatalf("sent %d, want 31 (30 plus one keyed message)", len(snd.sent))
	}
	if first := snd.sent[0].Sub(start); first < 30*time.Second {
		t.Fatalf("first send %v after a rate-limit answer, want a 30 s pause", first)
	}
	for i := range snd.sent {
		n := 0
		for _, t2 := range snd.sent {
			if !t2.Before(snd.sent[i]) && t2.Sub(snd.sent[i]) < time.Minute {
				n++
			}
		}
		if n > 20 {
			t.Fatalf("%d sends within a minute of send %d", n, i)
		}
	}
	// per chat: "a" got A, D, G, …: in order and 2 s apart
	var last time.Time
	prev := ""
	for i, txt := range snd.texts {
		if txt == "dup" || (txt[0]-'A')%3 != 0 {
			continue
		}
		if prev != "" && txt < prev {
			t.Fatalf("chat a out of order: %s after %s", txt, prev)
		}
		if !last.IsZero() && snd.sent[i].Sub(last) < 2*time.Second {
			t.Fatalf("chat a sends %v apart", snd.sent[i].Sub(last))
		}
		last, prev = snd.sent[i], txt
	}
}

// TestOutboxConcurrentPasses: passes running at once (the Run loop and a caller waiting for the
// outbox to settle) never send one message twice.
func TestOutboxConcurrentPasses(t *testing.T) {
	ctx := context.Background()
	store := &memStore{st: map[int64]SendResult{}}
	snd := &slowSender{}
	ob := NewOutbox(store, map[Platform]Sender{QQ: snd}, nil, OutboxOptions{})
	for i := 0; i < 20; i++ {
		if err := ob.Enqueue(ctx, Outgoing{Chat: Chat{Platform: QQ, ID: fmt.Sprint(i)}, Text: "hi"}); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); ob.Pass(ctx) }()
	}
	wg.Wait()
	if got := snd.n.Load(); got != 20 {
		t.Fatalf("sent %d messages for 20 queued", got)
	}
}

type slowSender struct{ n atomic.Int64 }

func (s *slowSender) Send(context.Context, Outgoing) (string, error) {
	time.Sleep(time.Millisecond)
	s.n.Add(1)
	return "", nil
}

// claimStore is a memStore shared with another process, which has claimed some messages.
type claimStore struct {
	*memStore
	taken map[int64]bool
}

func (c claimStore) ClaimOutgoing(_ context.Context, id int64, _ time.Time) (bool, error) {
	return !c.taken[id], nil
}

// TestOutboxSkipsMessagesClaimedElsewhere: a message another process claimed is not sent here.
func TestOutboxSkipsMessagesClaimedElsewhere(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	store := claimStore{&memStore{st: map[int64]SendResult{}}, map[int64]bool{2: true}}
	snd := &fakeSender{now: &now}
	ob := NewOutbox(store, map[Platform]Sender{QQ: snd}, nil, OutboxOptions{Now: func() time.Time { return now }})
	for i, chat := range []string{"a", "b", "c"} {
		if err := ob.Enqueue(ctx, Outgoing{Chat: Chat{Platform: QQ, Kind: Group, ID: chat}, Text: fmt.Sprint(i + 1)}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ob.Pass(ctx); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(snd.texts) != "[1 3]" {
		t.Fatalf("sent %v, want [1 3]: message 2 belongs to another process", snd.texts)
	}
	if _, marked := store.st[2]; marked {
		t.Fatal("a message claimed elsewhere was marked here")
	}
}

// nextDueStore is a memStore that tells when its earliest retry comes due.
type nextDueStore struct{ *memStore }

func (n nextDueStore) NextDue(_ context.Context, after time.Time) (time.Time, bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	var at time.Time
	for _, r := range n.rows {
		if res, ok := n.st[r.ID]; ok && res.Status == "retry" && res.Next.After(after) && (at.IsZero() || res.Next.Before(at)) {
			at = res.Next
		}
	}
	return at, !at.IsZero(), nil
}

// failSender fails every send with a plain error.
type failSender struct{}

func (failSender) Send(context.Context, Outgoing) (string, error) {
	return "", fmt.Errorf("QQ account not connected")
}

// TestOutboxSleepsUntilTheRetry: after a failed send the outbox wakes when the retry is due
// (5 s here), not a minute later or only when something new is queued.
func TestOutboxSleepsUntilTheRetry(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	store := nextDueStore{&memStore{st: map[int64]SendResult{}}}
	ob := NewOutbox(store, map[Platform]Sender{QQ: failSender{}}, map[Platform]Limits{QQ: {RetryBackoff: 5 * time.Second}},
		OutboxOptions{Now: func() time.Time { return now }})
	if err := ob.Enqueue(ctx, Outgoing{Chat: Chat{Platform: QQ, Kind: Group, ID: "g"}, Text: "通知"}); err != nil {
		t.Fatal(err)
	}
	wait, err := ob.Pass(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if wait != 5*time.Second {
		t.Fatalf("wait after a failed send = %v, want the 5 s retry", wait)
	}
}
