package onebot

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"

	"youthlink/bot"
)

// caller performs OneBot actions over one connection and returns the reply's data.
type caller interface {
	call(ctx context.Context, action string, params any) (json.RawMessage, error)
}

// ActionError is a OneBot action that came back with status "failed". It wraps
// bot.ErrRateLimited when the implementation said the account is sending too fast.
type ActionError struct {
	Action  string
	Retcode int
	Message string
}

// Error reports the action, retcode and the implementation's message.
func (e *ActionError) Error() string {
	return fmt.Sprintf("onebot %s failed: retcode %d: %s", e.Action, e.Retcode, e.Message)
}

// Unwrap returns bot.ErrRateLimited for rate-limit failures.
func (e *ActionError) Unwrap() error {
	if e.rateLimited() {
		return bot.ErrRateLimited
	}
	return nil
}

// rateLimited guesses from the retcode and message: OneBot v11 fixes no code for it, so this
// covers HTTP-like 429 and the words implementations use.
func (e *ActionError) rateLimited() bool {
	if e.Retcode == 429 {
		return true
	}
	m := strings.ToLower(e.Message)
	for _, w := range []string{"频繁", "过快", "频率", "风控", "rate limit", "too many", "too fast", "frequen"} {
		if strings.Contains(m, w) {
			return true
		}
	}
	return false
}

// result interprets an action reply: ok → data; async → no data; anything else → *ActionError.
func result(action string, f *frame) (json.RawMessage, error) {
	switch st := f.status(); {
	case st == "ok" || (st == "" && f.Retcode == 0):
		return f.Data, nil
	case st == "async" || f.Retcode == 1:
		return nil, nil
	}
	msg := f.Wording
	if msg == "" {
		msg = f.Msg
	}
	if msg == "" && len(f.Message) > 0 && f.Message[0] == '"' {
		_ = json.Unmarshal(f.Message, &msg)
	}
	return nil, &ActionError{Action: action, Retcode: f.Retcode, Message: msg}
}

// wsLink runs actions over a WebSocket (an API or Universal socket), matching replies by echo.
type wsLink struct {
	c       *websocket.Conn
	timeout time.Duration
	seq     atomic.Uint64
	mu      sync.Mutex
	pending map[string]chan *frame
	done    chan struct{}
	once    sync.Once
}

func newWSLink(c *websocket.Conn, timeout time.Duration) *wsLink {
	return &wsLink{c: c, timeout: timeout, pending: map[string]chan *frame{}, done: make(chan struct{})}
}

func (l *wsLink) call(ctx context.Context, action string, params any) (json.RawMessage, error) {
	echo := "yl-" + strconv.FormatUint(l.seq.Add(1), 10)
	ch := make(chan *frame, 1)
	l.mu.Lock()
	l.pending[echo] = ch
	l.mu.Unlock()
	defer func() {
		l.mu.Lock()
		delete(l.pending, echo)
		l.mu.Unlock()
	}()
	data, err := json.Marshal(struct {
		Action string `json:"action"`
		Params any    `json:"params"`
		Echo   string `json:"echo"`
	}{action, params, echo})
	if err != nil {
		return nil, fmt.Errorf("%s: encode: %w", action, err)
	}
	ctx, cancel := context.WithTimeout(ctx, l.timeout)
	defer cancel()
	// A cancelled Write closes the socket, so the write gets its own deadline, not the caller's.
	wctx, wcancel := context.WithTimeout(context.WithoutCancel(ctx), l.timeout)
	defer wcancel()
	if err := l.c.Write(wctx, websocket.MessageText, data); err != nil {
		return nil, fmt.Errorf("%s: write: %w", action, err)
	}
	select {
	case f := <-ch:
		return result(action, f)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", action, ctx.Err())
	case <-l.done:
		return nil, fmt.Errorf("%s: connection closed", action)
	}
}

// resolve hands a reply to the call waiting for its echo; false if none waits.
func (l *wsLink) resolve(f *frame) bool {
	var echo id
	if len(f.Echo) == 0 || echo.UnmarshalJSON(f.Echo) != nil {
		return false
	}
	l.mu.Lock()
	ch, ok := l.pending[string(echo)]
	l.mu.Unlock()
	if ok {
		ch <- f
	}
	return ok
}

func (l *wsLink) close() { l.once.Do(func() { close(l.done) }) }

// httpAPI runs actions against a OneBot HTTP API: POST <base>/<action>.
type httpAPI struct {
	base    string
	token   string
	client  *http.Client
	timeout time.Duration
}

func (h *httpAPI) call(ctx context.Context, action string, params any) (json.RawMessage, error) {
	body, err := json.Marshal(params)
	if err != nil {
		return nil, fmt.Errorf("%s: encode: %w", action, err)
	}
	ctx, cancel := context.WithTimeout(ctx, h.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, strings.TrimRight(h.base, "/")+"/"+action, bytes.NewReader(body))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	req.Header.Set("Content-Type", "application/json")
	if h.token != "" {
		req.Header.Set("Authorization", "Bearer "+h.token)
	}
	resp, err := h.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxFrameBytes))
	if err != nil {
		return nil, fmt.Errorf("%s: read reply: %w", action, err)
	}
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusTooManyRequests:
		return nil, fmt.Errorf("%s: http 429: %w", action, bot.ErrRateLimited)
	default:
		return nil, fmt.Errorf("%s: http %d", action, resp.StatusCode)
	}
	f, err := decodeFrame(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", action, err)
	}
	return result(action, f)
}

// limiter is a token bucket that throttles sends of one QQ account.
type limiter struct {
	mu     sync.Mutex
	rate   float64 // tokens per second
	burst  float64
	tokens float64
	last   time.Time
}

func newLimiter(perMinute, burst int) *limiter {
	return &limiter{rate: float64(perMinute) / 60, burst: float64(burst), tokens: float64(burst), last: time.Now()}
}

// wait takes a token, sleeping until one is free or ctx ends.
func (l *limiter) wait(ctx context.Context) error {
	for {
		l.mu.Lock()
		now := time.Now()
		l.tokens = min(l.burst, l.tokens+now.Sub(l.last).Seconds()*l.rate)
		l.last = now
		if l.tokens >= 1 {
			l.tokens--
			l.mu.Unlock()
			return nil
		}
		d := time.Duration((1 - l.tokens) / l.rate * float64(time.Second))
		l.mu.Unlock()
		t := time.NewTimer(d)
		select {
		case <-ctx.Done():
			t.Stop()
			return errors.Join(ctx.Err(), bot.ErrRateLimited)
		case <-t.C:
		}
	}
}
