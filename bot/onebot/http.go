package onebot

import (
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"youthlink/bot"
)

// authorized checks the access token of a request (Authorization: Bearer|Token <t>, or
// ?access_token=). Missing: 401; wrong: 403. Both are logged. No token configured: all pass.
func (a *Adapter) authorized(w http.ResponseWriter, r *http.Request, cn Conn) bool {
	if cn.Token == "" {
		return true
	}
	got := r.URL.Query().Get("access_token")
	if h := r.Header.Get("Authorization"); h != "" {
		scheme, tok, _ := strings.Cut(h, " ")
		if strings.EqualFold(scheme, "Bearer") || strings.EqualFold(scheme, "Token") {
			got = strings.TrimSpace(tok)
		}
	}
	switch {
	case got == "":
		a.log.Warn("onebot: refused request without access token", "conn", cn.Name, "remote", r.RemoteAddr, "path", r.URL.Path)
		http.Error(w, "missing access token", http.StatusUnauthorized)
		return false
	case subtle.ConstantTimeCompare([]byte(got), []byte(cn.Token)) != 1:
		a.log.Warn("onebot: refused request with wrong access token", "conn", cn.Name, "remote", r.RemoteAddr, "path", r.URL.Path)
		http.Error(w, "wrong access token", http.StatusForbidden)
		return false
	}
	return true
}

// validSignature checks X-Signature: sha1=<hex HMAC-SHA1(secret, body)>.
func validSignature(secret string, body []byte, header string) bool {
	hexSig, ok := strings.CutPrefix(header, "sha1=")
	if !ok {
		return false
	}
	got, err := hex.DecodeString(hexSig)
	if err != nil {
		return false
	}
	m := hmac.New(sha1.New, []byte(secret))
	m.Write(body)
	return hmac.Equal(got, m.Sum(nil))
}

// serve runs an HTTP server on ln until ctx ends, then waits for its handlers (open sockets
// end with ctx).
func (a *Adapter) serve(ctx context.Context, cn Conn, ln net.Listener, h http.Handler) error {
	var wg sync.WaitGroup
	srv := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			wg.Add(1)
			defer wg.Done()
			h.ServeHTTP(w, r)
		}),
		BaseContext:       func(net.Listener) context.Context { return ctx },
		ReadHeaderTimeout: 10 * time.Second,
	}
	stop := context.AfterFunc(ctx, func() { srv.Close() })
	defer stop()
	err := srv.Serve(ln)
	wg.Wait()
	if errors.Is(err, http.ErrServerClosed) {
		return nil
	}
	return err
}

// runHTTP receives HTTP POST events on ln and runs actions through the HTTP API at cn.URL.
func (a *Adapter) runHTTP(ctx context.Context, cn Conn, ln net.Listener, sink bot.Sink) error {
	api := &httpAPI{base: cn.URL, token: cn.Token, client: &http.Client{}, timeout: a.cfg.ActionTimeout}
	go a.loginHTTP(ctx, cn, api)
	return a.serve(ctx, cn, ln, a.postHandler(ctx, cn, api, sink))
}

// loginHTTP learns the account behind the HTTP API, retrying with backoff until it answers.
func (a *Adapter) loginHTTP(ctx context.Context, cn Conn, api *httpAPI) {
	backoff := cn.RetryMin
	for {
		a.learnSelf(ctx, cn, api)
		a.mu.Lock()
		attached := false
		for _, acc := range a.accounts {
			attached = attached || acc.api == api
		}
		a.mu.Unlock()
		if attached {
			return
		}
		t := time.NewTimer(backoff)
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
		backoff = min(2*backoff, cn.RetryMax)
	}
}

// postHandler receives events posted by the implementation (HTTP POST mode). With a secret, the
// body must carry a valid X-Signature (missing: 401, wrong: 403); without one, the access token
// is checked instead. Events are handled under ctx, the connection's, not the request's.
func (a *Adapter) postHandler(ctx context.Context, cn Conn, api caller, sink bot.Sink) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			http.Error(w, "POST only", http.StatusMethodNotAllowed)
			return
		}
		if cn.Secret == "" && !a.authorized(w, r, cn) {
			return
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxFrameBytes))
		if err != nil {
			a.log.Warn("onebot: skipped oversized or unreadable post", "conn", cn.Name, "remote", r.RemoteAddr, "err", err)
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		if cn.Secret != "" {
			sig := r.Header.Get("X-Signature")
			if sig == "" {
				a.log.Warn("onebot: refused post without signature", "conn", cn.Name, "remote", r.RemoteAddr)
				http.Error(w, "missing signature", http.StatusUnauthorized)
				return
			}
			if !validSignature(cn.Secret, body, sig) {
				a.log.Warn("onebot: refused post with bad signature", "conn", cn.Name, "remote", r.RemoteAddr)
				http.Error(w, "bad signature", http.StatusForbidden)
				return
			}
		}
		a.handleFrame(ctx, cn, body, nil, api, sink)
		w.WriteHeader(http.StatusNoContent)
	})
}
