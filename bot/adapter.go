package bot

import (
	"context"
	"errors"
)

// Sink receives events from an adapter. The engine is the Sink in production; Deliver must not
// block on handlers, so adapters can call it from their polling goroutine.
type Sink interface {
	Deliver(ctx context.Context, ev Event) error
}

// Adapter connects one chat platform. Run reads events and hands them to sink until ctx ends or
// the connection fails for good; Send delivers one outgoing message and returns the platform's id
// for it when it has one.
type Adapter interface {
	Platform() Platform
	Run(ctx context.Context, sink Sink) error
	Send(ctx context.Context, m Outgoing) (string, error)
}

// ErrRateLimited is returned by Adapter.Send when the platform asked to slow down (WeChat Ret
// 1205, a QQ account throttled): the outbox backs off and tries again later.
var ErrRateLimited = errors.New("platform rate limit")

// ErrNoRoute is returned by Adapter.Send when the chat is unknown to the account: the outbox marks
// the message failed rather than retrying forever.
var ErrNoRoute = errors.New("chat not reachable from this account")
