package wechat

import (
	"sync"
	"time"
)

// replayGuard decides whether a message is new: see the package doc for the rule.
type replayGuard struct {
	mu    sync.Mutex
	since int64 // Unix seconds: messages created before this are replays
	seen  map[int64]struct{}
	order []int64 // ring of seen ids, oldest first, to bound memory
	max   int
}

func newReplayGuard(max int) *replayGuard {
	return &replayGuard{seen: map[int64]struct{}{}, max: max}
}

// start sets the cutoff once, at the first session's start minus grace.
func (g *replayGuard) start(t time.Time, grace time.Duration) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.since == 0 {
		g.since = t.Add(-grace).Unix()
	}
}

// fresh reports whether the message is new, and remembers it.
func (g *replayGuard) fresh(newMsgID, createTime int64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if createTime < g.since {
		return false
	}
	if _, ok := g.seen[newMsgID]; ok {
		return false
	}
	g.seen[newMsgID] = struct{}{}
	g.order = append(g.order, newMsgID)
	if len(g.order) > g.max {
		delete(g.seen, g.order[0])
		g.order = g.order[1:]
	}
	return true
}
