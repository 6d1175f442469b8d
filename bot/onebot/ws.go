package onebot

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/coder/websocket"

	"youthlink/bot"
)

// Socket roles a OneBot implementation announces in X-Client-Role.
const (
	roleUniversal = "universal"
	roleAPI       = "api"
	roleEvent     = "event"
)

// reverseHandler accepts the sockets a OneBot implementation dials (reverse-ws).
func (a *Adapter) reverseHandler(cn Conn, sink bot.Sink) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !a.authorized(w, r, cn) {
			return
		}
		role := strings.ToLower(r.Header.Get("X-Client-Role"))
		if role == "" {
			switch {
			case strings.HasSuffix(r.URL.Path, "/api"):
				role = roleAPI
			case strings.HasSuffix(r.URL.Path, "/event"):
				role = roleEvent
			default:
				role = roleUniversal
			}
		}
		if role != roleUniversal && role != roleAPI && role != roleEvent {
			a.log.Warn("onebot: refused socket with unknown X-Client-Role", "conn", cn.Name, "role", role, "remote", r.RemoteAddr)
			http.Error(w, "unknown X-Client-Role", http.StatusBadRequest)
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			a.log.Warn("onebot: websocket accept", "conn", cn.Name, "remote", r.RemoteAddr, "err", err)
			return
		}
		self := strings.TrimSpace(r.Header.Get("X-Self-ID"))
		a.log.Info("onebot: socket connected", "conn", cn.Name, "role", role, "self_id", self, "remote", r.RemoteAddr)
		err = a.serveSocket(r.Context(), cn, c, role, self, sink)
		a.log.Info("onebot: socket closed", "conn", cn.Name, "role", role, "self_id", self, "err", err)
	})
}

// serveSocket reads one socket until it fails or ctx ends. API and Universal sockets carry
// actions; Event and Universal sockets carry events.
func (a *Adapter) serveSocket(ctx context.Context, cn Conn, c *websocket.Conn, role, self string, sink bot.Sink) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	defer c.CloseNow()
	c.SetReadLimit(-1) // readFrames enforces maxFrameBytes itself, skipping instead of closing
	var link *wsLink
	var api caller
	if role != roleEvent {
		link = newWSLink(c, a.cfg.ActionTimeout)
		defer link.close()
		api = link
		if self != "" {
			a.attach(ctx, cn, self, link)
		} else {
			go a.learnSelf(ctx, cn, link)
		}
		defer func() {
			if self != "" {
				a.detach(cn, self, link)
			}
			for _, s := range a.Accounts() {
				a.detach(cn, s, link)
			}
		}()
	}
	return a.readFrames(ctx, cn, c, link, api, sink)
}

// readFrames reads frames until the socket fails. Frames over maxFrameBytes are drained and
// skipped without closing the socket.
func (a *Adapter) readFrames(ctx context.Context, cn Conn, c *websocket.Conn, link *wsLink, api caller, sink bot.Sink) error {
	for {
		_, r, err := c.Reader(ctx)
		if err != nil {
			return err
		}
		data, err := io.ReadAll(io.LimitReader(r, maxFrameBytes+1))
		if err != nil {
			return err
		}
		if len(data) > maxFrameBytes {
			n, err := io.Copy(io.Discard, r)
			if err != nil {
				return err
			}
			a.log.Warn("onebot: skipped oversized frame", "conn", cn.Name, "bytes", int64(len(data))+n, "max", maxFrameBytes)
			continue
		}
		a.handleFrame(ctx, cn, data, link, api, sink)
	}
}

// runForward dials the implementation's WebSocket server and redials with backoff until ctx ends.
func (a *Adapter) runForward(ctx context.Context, cn Conn, sink bot.Sink) error {
	backoff := cn.RetryMin
	for {
		connected, err := a.forwardOnce(ctx, cn, sink)
		if ctx.Err() != nil {
			return nil
		}
		if connected {
			backoff = cn.RetryMin
		}
		a.log.Warn("onebot: connection lost, redialing", "conn", cn.Name, "in", backoff, "err", err)
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
		backoff = min(2*backoff, cn.RetryMax)
	}
}

// forwardOnce dials once and serves until the connection drops. connected reports whether the
// dial succeeded.
func (a *Adapter) forwardOnce(ctx context.Context, cn Conn, sink bot.Sink) (connected bool, err error) {
	if !cn.Split {
		c, err := a.dial(ctx, cn, cn.URL)
		if err != nil {
			return false, err
		}
		a.log.Info("onebot: dialed", "conn", cn.Name, "url", cn.URL)
		return true, a.serveSocket(ctx, cn, c, roleUniversal, "", sink)
	}
	base := strings.TrimRight(cn.URL, "/")
	apiC, err := a.dial(ctx, cn, base+"/api")
	if err != nil {
		return false, err
	}
	evC, err := a.dial(ctx, cn, base+"/event")
	if err != nil {
		apiC.CloseNow()
		return false, err
	}
	a.log.Info("onebot: dialed api and event sockets", "conn", cn.Name, "url", base)
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, s := range []struct {
		c    *websocket.Conn
		role string
	}{{apiC, roleAPI}, {evC, roleEvent}} {
		wg.Go(func() {
			errs[i] = a.serveSocket(ctx, cn, s.c, s.role, "", sink)
			cancel() // one half down: drop the other and redial both
		})
	}
	wg.Wait()
	return true, errors.Join(errs...)
}

func (a *Adapter) dial(ctx context.Context, cn Conn, url string) (*websocket.Conn, error) {
	h := http.Header{}
	if cn.Token != "" {
		h.Set("Authorization", "Bearer "+cn.Token)
	}
	dctx, cancel := context.WithTimeout(ctx, a.cfg.ActionTimeout)
	defer cancel()
	c, resp, err := websocket.Dial(dctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if resp != nil && (resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden) {
			return nil, fmt.Errorf("dial %s: access token refused (http %d)", url, resp.StatusCode)
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	return c, nil
}
