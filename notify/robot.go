package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Message is what a Robot sends. Markdown, when set, is sent as the platform's markdown message
// and Text is ignored; otherwise Text is sent as plain text. Title heads the message.
type Message struct {
	Title    string
	Text     string
	Markdown string
}

// Robot is a destination for messages: a group robot or a directory.
type Robot interface {
	Send(ctx context.Context, m Message) error
}

// Config configures a webhook robot. The zero value of every field but Key is usable.
type Config struct {
	// BaseURL is scheme and host of the platform's API, e.g. "https://qyapi.weixin.qq.com".
	// Empty: the platform's public host. Tests point it at a local server.
	BaseURL string
	// Key identifies the robot: the WeCom key, the DingTalk access_token or the Feishu hook token.
	Key string
	// Secret is the signing secret (DingTalk "加签", Feishu "签名校验"); empty sends unsigned.
	// WeCom robots have no secret.
	Secret string
	// HTTPClient sends the requests; nil uses a client with a 15 s timeout.
	HTTPClient *http.Client
	// PerMinute is the most messages sent per rolling minute; 0 means the platforms' 20, a
	// negative value means no limit.
	PerMinute int
	// MaxParts is the most messages one Message is split into; 0 means 5. Beyond it the text
	// is cut with a notice.
	MaxParts int
	// MaxRetries is how often a retryable failure is retried; 0 means 3, negative means never.
	MaxRetries int
	// Now is the clock (signing timestamps, rate limit); nil is time.Now.
	Now func() time.Time
	// Sleep waits for d or until ctx ends; nil waits on a timer. Tests make it advance a fake clock.
	Sleep func(ctx context.Context, d time.Duration) error
	// Backoff is the wait before retry number attempt (1, 2, …); nil doubles from 2 s up to 1 min.
	Backoff func(attempt int) time.Duration
}

// dialect is what differs between platforms.
type dialect struct {
	name    string
	base    string                                      // default BaseURL
	limit   func(markdown bool) int                     // content bytes per message
	url     func(c *Config, now time.Time) string       // endpoint, signed if needed
	payload func(c *Config, p piece, now time.Time) any // request body
	check   func(status int, body []byte) error         // nil when the platform accepted it
	titleMD func(title string) string                   // heading put before markdown content
}

// piece is one part of a message, ready to wrap in a payload.
type piece struct {
	markdown bool
	title    string // message title, with "（i/n）" when split
	content  string
}

// Webhook is a group robot reached through its webhook URL.
type Webhook struct {
	cfg Config
	d   dialect
	lim *limiter
}

var _ Robot = (*Webhook)(nil)

func newWebhook(cfg Config, d dialect) *Webhook {
	if cfg.BaseURL == "" {
		cfg.BaseURL = d.base
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 15 * time.Second}
	}
	if cfg.PerMinute == 0 {
		cfg.PerMinute = 20
	}
	if cfg.MaxParts <= 0 {
		cfg.MaxParts = 5
	}
	if cfg.MaxRetries == 0 {
		cfg.MaxRetries = 3
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Sleep == nil {
		cfg.Sleep = sleepCtx
	}
	if cfg.Backoff == nil {
		cfg.Backoff = func(attempt int) time.Duration {
			d := 2 * time.Second << (attempt - 1)
			if attempt > 6 || d > time.Minute {
				d = time.Minute
			}
			return d
		}
	}
	return &Webhook{
		cfg: cfg,
		d:   d,
		lim: &limiter{n: cfg.PerMinute, per: time.Minute, now: cfg.Now, sleep: cfg.Sleep},
	}
}

// Send delivers m, split into numbered parts when it is longer than the platform allows. It stops
// at the first part that fails for good and says which one.
func (w *Webhook) Send(ctx context.Context, m Message) error {
	body, md := m.Text, false
	if m.Markdown != "" {
		body, md = m.Markdown, true
	}
	if strings.TrimSpace(body) == "" && strings.TrimSpace(m.Title) == "" {
		return &Error{Robot: w.d.name, Msg: "消息为空，未发送"}
	}
	if m.Title != "" {
		switch {
		case !md:
			body = m.Title + "\n" + body
		case w.d.titleMD != nil:
			body = w.d.titleMD(m.Title) + body
		}
	}
	ps := parts(body, w.d.limit(md), w.cfg.MaxParts)
	for i, p := range ps {
		title := m.Title
		if len(ps) > 1 {
			title += fmt.Sprintf("（%d/%d）", i+1, len(ps))
		}
		if err := w.sendPiece(ctx, piece{markdown: md, title: title, content: p}); err != nil {
			if len(ps) > 1 {
				return fmt.Errorf("send part %d/%d: %w", i+1, len(ps), err)
			}
			return err
		}
	}
	return nil
}

// sendPiece posts one piece, retrying temporary failures.
func (w *Webhook) sendPiece(ctx context.Context, p piece) error {
	for attempt := 0; ; attempt++ {
		if err := w.lim.wait(ctx); err != nil {
			return err
		}
		err := w.post(ctx, p)
		if err == nil || !IsRetryable(err) || attempt >= w.cfg.MaxRetries || w.cfg.MaxRetries < 0 {
			return err
		}
		if err := w.cfg.Sleep(ctx, w.cfg.Backoff(attempt+1)); err != nil {
			return err
		}
	}
}

// post makes one request and checks the answer.
func (w *Webhook) post(ctx context.Context, p piece) error {
	now := w.cfg.Now()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(w.d.payload(&w.cfg, p, now)); err != nil {
		return fmt.Errorf("%s: encode: %w", w.d.name, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.d.url(&w.cfg, now), &buf)
	if err != nil {
		return fmt.Errorf("%s: request: %w", w.d.name, err)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	resp, err := w.cfg.HTTPClient.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// Transport failures (refused, reset, timeout) are worth another try.
		return &Error{Robot: w.d.name, Msg: redact(err.Error(), w.cfg.Key), Retryable: true}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return &Error{Robot: w.d.name, Status: resp.StatusCode, Msg: "read response: " + err.Error(), Retryable: true}
	}
	if err := w.d.check(resp.StatusCode, body); err != nil {
		var e *Error
		if errors.As(err, &e) {
			e.Robot = w.d.name
		}
		return err
	}
	return nil
}

// redact keeps a robot key out of error messages (url.Error quotes the URL).
func redact(s, key string) string {
	if key == "" {
		return s
	}
	return strings.ReplaceAll(s, key, "***")
}

// apiResult is the common shape of the platforms' answers.
type apiResult struct {
	ErrCode    *int   `json:"errcode"`    // WeCom, DingTalk
	ErrMsg     string `json:"errmsg"`     // WeCom, DingTalk
	Code       *int   `json:"code"`       // Feishu
	Msg        string `json:"msg"`        // Feishu
	StatusCode *int   `json:"StatusCode"` // Feishu, older answers
	StatusMsg  string `json:"StatusMessage"`
}

// code returns the platform's result code and message, and whether the body had one.
func (r apiResult) code() (int, string, bool) {
	switch {
	case r.ErrCode != nil:
		return *r.ErrCode, r.ErrMsg, true
	case r.Code != nil:
		return *r.Code, r.Msg, true
	case r.StatusCode != nil:
		return *r.StatusCode, r.StatusMsg, true
	}
	return 0, "", false
}

// checker builds a response check: retry lists the platform codes that are temporary.
func checker(retry ...int) func(int, []byte) error {
	return func(status int, body []byte) error {
		var r apiResult
		jsonErr := json.Unmarshal(body, &r)
		code, msg, ok := r.code()
		if status == http.StatusOK && jsonErr == nil && ok && code == 0 {
			return nil
		}
		e := &Error{Status: status, Code: code, Msg: msg}
		if e.Msg == "" {
			e.Msg = strings.TrimSpace(string(body))
			if len(e.Msg) > 200 {
				e.Msg = e.Msg[:200]
			}
		}
		switch {
		case status == http.StatusTooManyRequests || status >= 500:
			e.Retryable = true
		case ok && code != 0:
			for _, c := range retry {
				if code == c {
					e.Retryable = true
				}
			}
		case status == http.StatusOK:
			e.Msg = "unexpected response: " + e.Msg
		}
		return e
	}
}
