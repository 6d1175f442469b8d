// Package bottest holds test doubles for packages that send through the bot package.
package bottest

import (
	"context"
	"sync"

	"youthlink/bot"
)

// Outbox is a bot.Enqueuer that records every message in order, without deduplicating by key,
// so a message queued twice shows twice.
type Outbox struct {
	mu   sync.Mutex
	msgs []bot.Outgoing
}

// Enqueue records m.
func (o *Outbox) Enqueue(_ context.Context, m bot.Outgoing) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.msgs = append(o.msgs, m)
	return nil
}

// Sent returns a copy of what was queued so far, oldest first.
func (o *Outbox) Sent() []bot.Outgoing {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]bot.Outgoing(nil), o.msgs...)
}
