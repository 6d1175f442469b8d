package bot

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// OutboxStore persists outgoing messages, so a reply queued before a crash is still sent after it.
type OutboxStore interface {
	// AddOutgoing stores m as pending; dup is true when m.Key was queued before (nothing added).
	AddOutgoing(ctx context.Context, m Outgoing) (id int64, dup bool, err error)
	// DueOutgoing lists pending messages whose retry time has come, oldest first.
	DueOutgoing(ctx context.Context, now time.Time, limit int) ([]Outgoing, error)
	// MarkOutgoing records the result of one attempt: sent, retry at next, or failed for good.
	MarkOutgoing(ctx context.Context, id int64, r SendResult) error
}

// OutboxClaimer is an OutboxStore shared by several processes: the outbox claims each message
// just before sending it, and skips it when another process claimed it first.
type OutboxClaimer interface {
	ClaimOutgoing(ctx context.Context, id int64, now time.Time) (bool, error)
}

// NextDuer is an OutboxStore that tells when the earliest pending message not yet due at a
// moment comes due, so that the outbox sleeps until a retry is due instead of until the next
// message is queued.
type NextDuer interface {
	NextDue(ctx context.Context, after time.Time) (at time.Time, ok bool, err error)
}

// SendResult is what one send attempt came to.
type SendResult struct {
	Status     string // "sent", "retry" or "failed"
	PlatformID string // the platform's id for the sent message
	Attempts   int
	Next       time.Time // for retry
	Err        string
}

// Sender delivers one message to a platform: an Adapter is a Sender.
type Sender interface {
	Send(ctx context.Context, m Outgoing) (string, error)
}

// Limits are a platform's safe sending rates.
type Limits struct {
	PerChat       time.Duration // at least this long between two messages to one chat
	PerMinute     int           // messages a minute per account at most (0: no limit)
	Jitter        time.Duration // random extra wait, so sends don't look machine-timed
	MaxAttempts   int           // attempts before a message is marked failed (default 8)
	RetryBackoff  time.Duration // first retry wait, doubled each attempt (default 5 s)
	RateLimitWait time.Duration // wait after the platform said "too frequent" (default 60 s)
}

// Outbox sends persisted messages per chat, within each platform's rate limits, retrying with
// back-off. Enqueue persists before anything is sent.
type Outbox struct {
	store   OutboxStore
	senders map[Platform]Sender
	limits  map[Platform]Limits
	log     *slog.Logger
	now     func() time.Time
	after   func(time.Duration) <-chan time.Time
	wake    chan struct{}

	pass     sync.Mutex // one pass at a time, or two could send the same due message
	mu       sync.Mutex
	nextChat map[string]time.Time   // chat key → earliest next send
	sent     map[string][]time.Time // account key → send times in the last minute
	paused   map[Platform]time.Time // platform → resume time after a rate-limit answer
}

// OutboxOptions configure an Outbox; Now and After may be replaced by a fake clock in tests.
type OutboxOptions struct {
	Log   *slog.Logger
	Now   func() time.Time
	After func(time.Duration) <-chan time.Time
}

// NewOutbox builds an outbox over a store and one sender per platform.
func NewOutbox(store OutboxStore, senders map[Platform]Sender, limits map[Platform]Limits, o OutboxOptions) *Outbox {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.After == nil {
		o.After = time.After
	}
	return &Outbox{
		store: store, senders: senders, limits: limits, log: o.Log, now: o.Now, after: o.After,
		wake: make(chan struct{}, 1), nextChat: map[string]time.Time{}, sent: map[string][]time.Time{},
		paused: map[Platform]time.Time{},
	}
}

// Enqueue persists m and wakes the sender. A message with a Key queued before is dropped.
func (o *Outbox) Enqueue(ctx context.Context, m Outgoing) error {
	if m.Text == "" {
		return errors.New("outbox: empty message")
	}
	if _, _, err := o.store.AddOutgoing(ctx, m); err != nil {
		return fmt.Errorf("queue message: %w", err)
	}
	o.Wake()
	return nil
}

// Wake makes the sender look for due messages now.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// Run sends due messages until ctx ends.
func (o *Outbox) Run(ctx context.Context) error {
	for {
		wait, err := o.Pass(ctx)
		if err != nil && ctx.Err() == nil {
			o.log.Error("outbox pass", "err", err)
			wait = 5 * time.Second
		}
		select {
		case <-ctx.Done():
			return nil
		case <-o.wake:
		case <-o.after(wait):
		}
	}
}

// Pass sends every due message the limits allow now, and says how long until the next one may
// go. Tests call it directly with a fake clock.
func (o *Outbox) Pass(ctx context.Context) (time.Duration, error) {
	o.pass.Lock()
	defer o.pass.Unlock()
	now := o.now()
	due, err := o.store.DueOutgoing(ctx, now, 200)
	if err != nil {
		return time.Minute, fmt.Errorf("list due: %w", err)
	}
	wait := time.Minute
	held := map[string]bool{} // chats with an earlier message still waiting: keep their order
	for _, m := range due {
		ck := chatKey(m.Chat)
		if held[ck] {
			continue
		}
		if d := o.hold(m.Chat, now); d > 0 {
			held[ck] = true
			wait = min(wait, d)
			continue
		}
		o.attempt(ctx, m, now)
		if d := o.hold(m.Chat, now); d > 0 {
			wait = min(wait, d)
		}
	}
	if len(due) == 200 {
		wait = 0
	}
	if nd, ok := o.store.(NextDuer); ok {
		// what was due at now was listed above; the rest, a retry that failed in this very
		// pass included, comes due later
		at, ok, err := nd.NextDue(ctx, now)
		if err != nil {
			return wait, fmt.Errorf("next due: %w", err)
		}
		if d := at.Sub(now); ok && d < wait {
			wait = d
		}
	}
	return max(wait, 10*time.Millisecond), nil
}

func (o *Outbox) attempt(ctx context.Context, m Outgoing, now time.Time) {
	lim := o.limitsFor(m.Chat.Platform)
	s, ok := o.senders[m.Chat.Platform]
	attempts := m.Attempts + 1
	if !ok {
		o.mark(ctx, m, SendResult{Status: "failed", Attempts: attempts, Err: "no adapter for platform " + string(m.Chat.Platform)})
		return
	}
	if c, ok := o.store.(OutboxClaimer); ok {
		mine, err := c.ClaimOutgoing(ctx, m.ID, now)
		if err != nil || !mine {
			if err != nil {
				o.log.Warn("outbox: claim", "id", m.ID, "err", err)
			}
			return
		}
	}
	o.note(m.Chat, now, lim)
	pid, err := s.Send(ctx, m)
	switch {
	case err == nil:
		o.mark(ctx, m, SendResult{Status: "sent", PlatformID: pid, Attempts: attempts})
	case errors.Is(err, ErrNoRoute) || attempts >= lim.MaxAttempts:
		o.log.Warn("outbox: message failed", "id", m.ID, "chat", m.Chat.ID, "err", err)
		o.mark(ctx, m, SendResult{Status: "failed", Attempts: attempts, Err: err.Error()})
	case errors.Is(err, ErrRateLimited):
		o.mu.Lock()
		o.paused[m.Chat.Platform] = now.Add(lim.RateLimitWait)
		o.mu.Unlock()
		o.mark(ctx, m, SendResult{Status: "retry", Attempts: attempts - 1, Next: now.Add(lim.RateLimitWait), Err: err.Error()})
	default:
		back := lim.RetryBackoff << min(attempts-1, 10)
		o.mark(ctx, m, SendResult{Status: "retry", Attempts: attempts, Next: now.Add(back), Err: err.Error()})
	}
}

func (o *Outbox) mark(ctx context.Context, m Outgoing, r SendResult) {
	if err := o.store.MarkOutgoing(ctx, m.ID, r); err != nil {
		o.log.Error("outbox: record result", "id", m.ID, "err", err)
	}
}

// hold says how long m's chat must still wait under the limits (0: it may go now).
func (o *Outbox) hold(c Chat, now time.Time) time.Duration {
	lim := o.limitsFor(c.Platform)
	o.mu.Lock()
	defer o.mu.Unlock()
	var d time.Duration
	if p := o.paused[c.Platform]; now.Before(p) {
		d = p.Sub(now)
	}
	if n := o.nextChat[chatKey(c)]; now.Before(n) {
		d = max(d, n.Sub(now))
	}
	if lim.PerMinute > 0 {
		ak := string(c.Platform) + "\x00" + c.Account
		recent := o.sent[ak][:0]
		for _, t := range o.sent[ak] {
			if now.Sub(t) < time.Minute {
				recent = append(recent, t)
			}
		}
		o.sent[ak] = recent
		if len(recent) >= lim.PerMinute {
			d = max(d, recent[0].Add(time.Minute).Sub(now))
		}
	}
	return d
}

// note records a send for the limits.
func (o *Outbox) note(c Chat, now time.Time, lim Limits) {
	o.mu.Lock()
	defer o.mu.Unlock()
	gap := lim.PerChat
	if lim.Jitter > 0 {
		gap += time.Duration(rand.Int64N(int64(lim.Jitter)))
	}
	o.nextChat[chatKey(c)] = now.Add(gap)
	ak := string(c.Platform) + "\x00" + c.Account
	o.sent[ak] = append(o.sent[ak], now)
}

func (o *Outbox) limitsFor(p Platform) Limits {
	l := o.limits[p]
	if l.MaxAttempts <= 0 {
		l.MaxAttempts = 8
	}
	if l.RetryBackoff <= 0 {
		l.RetryBackoff = 5 * time.Second
	}
	if l.RateLimitWait <= 0 {
		l.RateLimitWait = time.Minute
	}
	return l
}

func chatKey(c Chat) string {
	return string(c.Platform) + "\x00" + c.Account + "\x00" + string(c.Kind) + "\x00" + c.ID
}
