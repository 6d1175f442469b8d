package llm

import (
	"context"
	"sync"
	"time"
)

// UsageStore keeps token use per scope ("user:ID", "group:ID", "cadre:ID", "all") for budgets.
// The database implementation belongs to the storage team; MemoryUsage serves tests and
// single-process use.
type UsageStore interface {
	// Used is the number of tokens recorded for scope at or after since.
	Used(ctx context.Context, scope string, since time.Time) (int, error)
	// Add records tokens used by scope at time at.
	Add(ctx context.Context, scope string, at time.Time, tokens int) error
}

// Usage scopes.
func userScope(id string) string  { return "user:" + id }
func groupScope(id string) string { return "group:" + id }
func cadreScope(id string) string { return "cadre:" + id }

// AllScope is the scope of all questions together, for the monthly budget.
const AllScope = "all"

// MemoryUsage is an in-memory UsageStore. It forgets records older than Keep (default 62 days)
// as new ones arrive. The zero value is ready to use.
type MemoryUsage struct {
	Keep time.Duration

	mu      sync.Mutex
	records map[string][]usageRecord
}

type usageRecord struct {
	at     time.Time
	tokens int
}

var _ UsageStore = (*MemoryUsage)(nil)

// Used implements UsageStore.
func (m *MemoryUsage) Used(_ context.Context, scope string, since time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := 0
	for _, r := range m.records[scope] {
		if !r.at.Before(since) {
			n += r.tokens
		}
	}
	return n, nil
}

// Add implements UsageStore.
func (m *MemoryUsage) Add(_ context.Context, scope string, at time.Time, tokens int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.records == nil {
		m.records = make(map[string][]usageRecord)
	}
	keep := m.Keep
	if keep <= 0 {
		keep = 62 * 24 * time.Hour
	}
	rs := m.records[scope]
	i := 0
	for i < len(rs) && rs[i].at.Before(at.Add(-keep)) {
		i++
	}
	m.records[scope] = append(rs[i:], usageRecord{at: at, tokens: tokens})
	return nil
}

// rateLimiter allows n events per window per key (a sliding window).
type rateLimiter struct {
	n      int
	window time.Duration

	mu     sync.Mutex
	events map[string][]time.Time
}

// allow records an event for key at now and reports whether it is within the limit.
// Refused events are not recorded, so a user who keeps asking is let in once the window moves.
func (l *rateLimiter) allow(key string, now time.Time) bool {
	if l.n < 0 {
		return true
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.events == nil {
		l.events = make(map[string][]time.Time)
	}
	ev := l.events[key]
	i := 0
	for i < len(ev) && !ev[i].After(now.Add(-l.window)) {
		i++
	}
	ev = ev[i:]
	if len(ev) >= l.n {
		l.events[key] = ev
		return false
	}
	l.events[key] = append(ev, now)
	return true
}

// breaker opens after a run of failures and lets one trial call through after the cooldown.
type breaker struct {
	threshold int
	cooldown  time.Duration

	mu        sync.Mutex
	failures  int
	openUntil time.Time
	trial     bool // a half-open trial call is running
}

// allow reports whether a call may go to the endpoint now.
func (b *breaker) allow(now time.Time) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.failures < b.threshold {
		return true
	}
	if now.Before(b.openUntil) || b.trial {
		return false
	}
	b.trial = true
	return true
}

// done records the outcome of an allowed call.
func (b *breaker) done(now time.Time, ok bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.trial = false
	if ok {
		b.failures = 0
		return
	}
	b.failures++
	if b.failures >= b.threshold {
		b.openUntil = now.Add(b.cooldown)
	}
}
