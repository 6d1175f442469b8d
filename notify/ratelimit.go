package notify

import (
	"context"
	"sync"
	"time"
)

// limiter allows at most n events in any window of length per, using a sliding log of send times.
type limiter struct {
	mu    sync.Mutex
	n     int
	per   time.Duration
	sent  []time.Time // times of the last sends, oldest first, at most n
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

// wait blocks until one more event is allowed, then records it.
func (l *limiter) wait(ctx context.Context) error {
	if l.n <= 0 {
		return nil
	}
	for {
		l.mu.Lock()
		now := l.now()
		// Drop sends that left the window.
		for len(l.sent) > 0 && !now.Before(l.sent[0].Add(l.per)) {
			l.sent = l.sent[1:]
		}
		if len(l.sent) < l.n {
			l.sent = append(l.sent, now)
			l.mu.Unlock()
			return nil
		}
		d := l.sent[0].Add(l.per).Sub(now)
		l.mu.Unlock()
		if err := l.sleep(ctx, d); err != nil {
			return err
		}
	}
}

// sleepCtx waits for d or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
