package notify

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"
)

// reply is one scripted answer of the fake platform.
type reply struct {
	status int
	body   string
}

// request is what the fake saw.
type request struct {
	path  string
	query url.Values
	body  map[string]any
	at    time.Time // fake clock time when it arrived
}

// fake is a local stand-in for a webhook host: it records requests and answers from a script,
// then with ok once the script is used up.
type fake struct {
	t      *testing.T
	srv    *httptest.Server
	ok     string
	clock  *fakeClock
	check  func(r *http.Request, body map[string]any) // extra checks on each request
	mu     sync.Mutex
	script []reply
	reqs   []request
}

func newFake(t *testing.T, ok string, clock *fakeClock, script ...reply) *fake {
	f := &fake{t: t, ok: ok, clock: clock, script: script}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	if err := json.Unmarshal(raw, &body); err != nil {
		f.t.Errorf("body is not JSON: %v: %q", err, raw)
	}
	if got, want := r.Header.Get("Content-Type"), "application/json; charset=utf-8"; got != want {
		f.t.Errorf("Content-Type %q, want %q", got, want)
	}
	if f.check != nil {
		f.check(r, body)
	}
	f.mu.Lock()
	req := request{path: r.URL.Path, query: r.URL.Query(), body: body}
	if f.clock != nil {
		req.at = f.clock.Now()
	}
	f.reqs = append(f.reqs, req)
	rep := reply{200, f.ok}
	if len(f.script) > 0 {
		rep, f.script = f.script[0], f.script[1:]
	}
	f.mu.Unlock()
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func (f *fake) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.reqs...)
}

// fakeClock is a clock that only moves when someone sleeps on it.
type fakeClock struct {
	mu    sync.Mutex
	now   time.Time
	slept []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.slept = append(c.slept, d)
	return nil
}

func newClock() *fakeClock {
	return &fakeClock{now: time.Date(2026, 11, 23, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))}
}

// get walks a decoded JSON object: get(m, "text", "content").
func get(m map[string]any, keys ...string) any {
	var v any = m
	for _, k := range keys {
		o, ok := v.(map[string]any)
		if !ok {
			return nil
		}
		v = o[k]
	}
	return v
}

func str(m map[string]any, keys ...string) string {
	s, _ := get(m, keys...).(string)
	return s
}

const (
	wecomOK  = `{"errcode":0,"errmsg":"ok"}`
	feishuOK = `{"code":0,"msg":"success","data":{}}`
)

func TestWeComPayloads(t *testing.T) {
	tests := []struct {
		name    string
		msg     Message
		msgtype string
		content string
	}{
		{"text", Message{Title: "周报", Text: "本周联系青年 12 人"}, "text", "周报\n本周联系青年 12 人"},
		{"markdown", Message{Title: "周报", Text: "ignored", Markdown: "**12** 人"}, "markdown", "## 周报\n\n**12** 人"},
		{"no title, html kept", Message{Text: "a<b>&c"}, "text", "a<b>&c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, wecomOK, nil)
			r := NewWeCom(Config{BaseURL: f.srv.URL, Key: "k-1"})
			if err := r.Send(context.Background(), tt.msg); err != nil {
				t.Fatal(err)
			}
			reqs := f.requests()
			if got, want := len(reqs), 1; got != want {
				t.Fatalf("%d requests, want %d", got, want)
			}
			q := reqs[0]
			if got, want := q.path, "/cgi-bin/webhook/send"; got != want {
				t.Fatalf("path %q, want %q", got, want)
			}
			if got, want := q.query.Get("key"), "k-1"; got != want {
				t.Fatalf("key %q, want %q", got, want)
			}
			if got, want := str(q.body, "msgtype"), tt.msgtype; got != want {
				t.Fatalf("msgtype %q, want %q", got, want)
			}
			if got, want := str(q.body, tt.msgtype, "content"), tt.content; got != want {
				t.Fatalf("content %q, want %q", got, want)
			}
		})
	}
}

func TestWeComRetriesThenSucceeds(t *testing.T) {
	tests := []struct {
		name  string
		first reply
	}{
		{"45009 frequency limit", reply{200, `{"errcode":45009,"errmsg":"api freq out of limit"}`}},
		{"500", reply{500, "oops"}},
		{"502 twice", reply{502, "bad gateway"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clk := newClock()
			f := newFake(t, wecomOK, clk, tt.first)
			if strings.Contains(tt.name, "twice") {
				f.script = append(f.script, tt.first)
			}
			want := len(f.script) + 1
			r := NewWeCom(Config{BaseURL: f.srv.URL, Key: "k", Now: clk.Now, Sleep: clk.Sleep})
			if err := r.Send(context.Background(), Message{Text: "hi"}); err != nil {
				t.Fatalf("Send: %v", err)
			}
			if got := len(f.requests()); got != want {
				t.Fatalf("%d requests, want %d", got, want)
			}
			if got := len(clk.slept); got != want-1 {
				t.Fatalf("backed off %d times (%v), want %d", got, clk.slept, want-1)
			}
			if clk.slept[0] <= 0 {
				t.Fatalf("backoff %v, want > 0", clk.slept[0])
			}
		})
	}
}

func TestWeComInvalidKeyIsFinal(t *testing.T) {
	clk := newClock()
	f := newFake(t, wecomOK, clk, reply{200, `{"errcode":93000,"errmsg":"invalid webhook url"}`})
	r := NewWeCom(Config{BaseURL: f.srv.URL, Key: "bad", Now: clk.Now, Sleep: clk.Sleep})
	err := r.Send(context.Background(), Message{Text: "hi"})
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("err = %v, want *Error", err)
	}
	if got, want := e.Code, WeComInvalidKey; got != want {
		t.Fatalf("code %d, want %d", got, want)
	}
	if IsRetryable(err) {
		t.Fatal("93000 reported retryable")
	}
	if got, want := len(f.requests()), 1; got != want {
		t.Fatalf("%d requests, want %d (no retry)", got, want)
	}
}

func TestRetriesGiveUp(t *testing.T) {
	clk := newClock()
	busy := reply{200, `{"errcode":45009,"errmsg":"freq"}`}
	f := newFake(t, wecomOK, clk, busy, busy, busy, busy, busy)
	r := NewWeCom(Config{BaseURL: f.srv.URL, Key: "k", Now: clk.Now, Sleep: clk.Sleep, MaxRetries: 2})
	err := r.Send(context.Background(), Message{Text: "hi"})
	if !IsRetryable(err) {
		t.Fatalf("err = %v, want a retryable error after giving up", err)
	}
	if got, want := len(f.requests()), 3; got != want {
		t.Fatalf("%d requests, want %d", got, want)
	}
}

func TestRateLimit20PerMinute(t *testing.T) {
	clk := newClock()
	start := clk.Now()
	f := newFake(t, wecomOK, clk)
	r := NewWeCom(Config{BaseURL: f.srv.URL, Key: "k", Now: clk.Now, Sleep: clk.Sleep})
	for i := 0; i < 45; i++ {
		if err := r.Send(context.Background(), Message{Text: "消息 " + strconv.Itoa(i)}); err != nil {
			t.Fatal(err)
		}
	}
	reqs := f.requests()
	if got, want := len(reqs), 45; got != want {
		t.Fatalf("%d requests, want %d", got, want)
	}
	if got := reqs[19].at; !got.Equal(start) {
		t.Fatalf("20th message waited until %v, want no wait", got.Sub(start))
	}
	if got, want := reqs[20].at.Sub(start), time.Minute; got != want {
		t.Fatalf("21st message sent after %v, want %v", got, want)
	}
	for i := 20; i < len(reqs); i++ {
		if d := reqs[i].at.Sub(reqs[i-20].at); d < time.Minute {
			t.Fatalf("messages %d and %d only %v apart: more than 20 in a minute", i-20, i, d)
		}
	}
	if got, want := reqs[44].at.Sub(start), 2*time.Minute; got != want {
		t.Fatalf("45th message after %v, want %v", got, want)
	}
}

func TestRateLimitHonoursCancel(t *testing.T) {
	f := newFake(t, wecomOK, nil)
	r := NewWeCom(Config{BaseURL: f.srv.URL, Key: "k", PerMinute: 1})
	if err := r.Send(context.Background(), Message{Text: "1"}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := r.Send(ctx, Message{Text: "2"}); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want deadline exceeded while waiting for the rate limit", err)
	}
}

func TestWeComSplitsLongMarkdown(t *testing.T) {
	md := chineseMarkdown(10 << 10)
	f := newFake(t, wecomOK, nil)
	r := NewWeCom(Config{BaseURL: f.srv.URL, Key: "k", MaxParts: 10})
	if err := r.Send(context.Background(), Message{Markdown: md}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if len(reqs) < 3 {
		t.Fatalf("%d requests, want the 10 KB message in at least 3 parts", len(reqs))
	}
	var b strings.Builder
	for i, q := range reqs {
		c := str(q.body, "markdown", "content")
		if len(c) > WeComMarkdownLimit || !utf8.ValidString(c) {
			t.Fatalf("part %d: %d bytes, valid UTF-8 %v", i, len(c), utf8.ValidString(c))
		}
		m := markerRE.FindString(c)
		if want := marker(i+1, len(reqs)); m != want {
			t.Fatalf("part %d marker %q, want %q", i, m, want)
		}
		b.WriteString(strings.TrimPrefix(c, m))
	}
	if b.String() != md {
		t.Fatal("sent parts do not reassemble to the original markdown")
	}
}

func TestDingTalkSigned(t *testing.T) {
	const secret = "SECtest密钥"
	f := newFake(t, `{"errcode":0,"errmsg":"ok"}`, nil)
	f.check = func(r *http.Request, body map[string]any) {
		// Parse the raw query ourselves: the sign must be URL-encoded exactly once.
		q := r.URL.Query()
		ts := q.Get("timestamp")
		ms, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			t.Errorf("timestamp %q: %v", ts, err)
			return
		}
		if d := time.Since(time.UnixMilli(ms)); d < -time.Minute || d > time.Minute {
			t.Errorf("timestamp %s is %v away from now", ts, d)
		}
		if got, want := q.Get("sign"), DingTalkSign(ts, secret); got != want {
			t.Errorf("sign %q, want %q", got, want)
		}
		if got, want := q.Get("access_token"), "tok"; got != want {
			t.Errorf("access_token %q, want %q", got, want)
		}
	}
	r := NewDingTalk(Config{BaseURL: f.srv.URL, Key: "tok", Secret: secret})
	if err := r.Send(context.Background(), Message{Title: "周报", Markdown: "- 一\n- 二"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(context.Background(), Message{Text: "纯文本"}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if got, want := len(reqs), 2; got != want {
		t.Fatalf("%d requests, want %d", got, want)
	}
	md, txt := reqs[0].body, reqs[1].body
	if got, want := reqs[0].path, "/robot/send"; got != want {
		t.Fatalf("path %q, want %q", got, want)
	}
	if got, want := str(md, "msgtype"), "markdown"; got != want {
		t.Fatalf("msgtype %q, want %q", got, want)
	}
	if got, want := str(md, "markdown", "title"), "周报"; got != want {
		t.Fatalf("title %q, want %q", got, want)
	}
	if got, want := str(md, "markdown", "text"), "### 周报\n\n- 一\n- 二"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
	if got, want := str(txt, "text", "content"), "纯文本"; got != want {
		t.Fatalf("text content %q, want %q", got, want)
	}
}

// TestDingTalkSignKnown pins the signature against a value computed independently
// with openssl (see dingKnown and feishuKnown).
func TestDingTalkSignKnown(t *testing.T) {
	if got, want := DingTalkSign("1700000000000", "secret"), dingKnown; got != want {
		t.Fatalf("DingTalkSign = %q, want %q", got, want)
	}
	if got, want := FeishuSign("1700000000", "secret"), feishuKnown; got != want {
		t.Fatalf("FeishuSign = %q, want %q", got, want)
	}
}

func TestDingTalkErrors(t *testing.T) {
	tests := []struct {
		name      string
		rep       reply
		retryable bool
	}{
		{"too fast", reply{200, `{"errcode":130101,"errmsg":"send too fast"}`}, true},
		{"bad sign", reply{200, `{"errcode":310000,"errmsg":"sign not match"}`}, false},
		{"token", reply{200, `{"errcode":300001,"errmsg":"token is not exist"}`}, false},
		{"503", reply{503, ``}, true},
		{"not json", reply{200, `<html>`}, false},
		{"404", reply{404, `not found`}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, `{"errcode":0}`, nil, tt.rep)
			r := NewDingTalk(Config{BaseURL: f.srv.URL, Key: "tok", MaxRetries: -1})
			err := r.Send(context.Background(), Message{Text: "x"})
			if err == nil {
				t.Fatal("no error")
			}
			if got, want := IsRetryable(err), tt.retryable; got != want {
				t.Fatalf("IsRetryable(%v) = %v, want %v", err, got, want)
			}
			if got, want := len(f.requests()), 1; got != want {
				t.Fatalf("%d requests with MaxRetries -1, want %d", got, want)
			}
		})
	}
}

func TestFeishuSigned(t *testing.T) {
	const secret = "feishu-secret"
	f := newFake(t, feishuOK, nil)
	f.check = func(r *http.Request, body map[string]any) {
		ts := str(body, "timestamp")
		sec, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			t.Errorf("timestamp %q: %v", ts, err)
			return
		}
		if d := time.Since(time.Unix(sec, 0)); d < -time.Minute || d > time.Minute {
			t.Errorf("timestamp %s is %v away from now", ts, d)
		}
		if got, want := str(body, "sign"), FeishuSign(ts, secret); got != want {
			t.Errorf("sign %q, want %q", got, want)
		}
	}
	r := NewFeishu(Config{BaseURL: f.srv.URL + "/", Key: "hook-token", Secret: secret})
	if err := r.Send(context.Background(), Message{Title: "周报", Text: "本周 3 人"}); err != nil {
		t.Fatal(err)
	}
	if err := r.Send(context.Background(), Message{Title: "周报", Markdown: "**3** 人"}); err != nil {
		t.Fatal(err)
	}
	reqs := f.requests()
	if got, want := len(reqs), 2; got != want {
		t.Fatalf("%d requests, want %d", got, want)
	}
	if got, want := reqs[0].path, "/open-apis/bot/v2/hook/hook-token"; got != want {
		t.Fatalf("path %q, want %q", got, want)
	}
	if got, want := str(reqs[0].body, "msg_type"), "text"; got != want {
		t.Fatalf("msg_type %q, want %q", got, want)
	}
	if got, want := str(reqs[0].body, "content", "text"), "周报\n本周 3 人"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
	card := reqs[1].body
	if got, want := str(card, "msg_type"), "interactive"; got != want {
		t.Fatalf("msg_type %q, want %q", got, want)
	}
	if got, want := str(card, "card", "header", "title", "content"), "周报"; got != want {
		t.Fatalf("card title %q, want %q", got, want)
	}
	els, _ := get(card, "card", "elements").([]any)
	if len(els) != 1 {
		t.Fatalf("card elements %v, want one", els)
	}
	el, _ := els[0].(map[string]any)
	if got, want := str(el, "tag")+":"+str(el, "content"), "markdown:**3** 人"; got != want {
		t.Fatalf("element %q, want %q", got, want)
	}
}

func TestFeishuResponses(t *testing.T) {
	tests := []struct {
		name      string
		rep       reply
		wantErr   bool
		retryable bool
	}{
		{"ok", reply{200, feishuOK}, false, false},
		{"old ok", reply{200, `{"StatusCode":0,"StatusMessage":"success"}`}, false, false},
		{"sign fail", reply{200, `{"code":19021,"msg":"sign match fail or timestamp is not within one hour from current time"}`}, true, false},
		{"frequency", reply{200, `{"code":9499,"msg":"Too Many Request"}`}, true, true},
		{"429", reply{429, `{"code":99991400,"msg":"request trigger frequency limit"}`}, true, true},
		{"empty body", reply{200, ``}, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(t, feishuOK, nil, tt.rep)
			r := NewFeishu(Config{BaseURL: f.srv.URL, Key: "h", MaxRetries: -1})
			err := r.Send(context.Background(), Message{Text: "x"})
			if got, want := err != nil, tt.wantErr; got != want {
				t.Fatalf("err = %v, want error %v", err, want)
			}
			if got, want := IsRetryable(err), tt.retryable; got != want {
				t.Fatalf("IsRetryable(%v) = %v, want %v", err, got, want)
			}
		})
	}
}

func TestEmptyMessageRejected(t *testing.T) {
	f := newFake(t, wecomOK, nil)
	r := NewWeCom(Config{BaseURL: f.srv.URL, Key: "k"})
	if err := r.Send(context.Background(), Message{Text: "  "}); err == nil {
		t.Fatal("empty message sent")
	}
	if got := len(f.requests()); got != 0 {
		t.Fatalf("%d requests for an empty message", got)
	}
}

func TestNetworkErrorRetryableAndKeyRedacted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	base := srv.URL
	srv.Close() // nothing listens there any more
	clk := newClock()
	r := NewWeCom(Config{BaseURL: base, Key: "secret-key-123", Now: clk.Now, Sleep: clk.Sleep, MaxRetries: 1})
	err := r.Send(context.Background(), Message{Text: "x"})
	if !IsRetryable(err) {
		t.Fatalf("err = %v, want retryable", err)
	}
	if strings.Contains(err.Error(), "secret-key-123") {
		t.Fatalf("error leaks the key: %v", err)
	}
	if got, want := len(clk.slept), 1; got != want {
		t.Fatalf("backed off %d times, want %d", got, want)
	}
}

// Signatures computed with openssl, not with this package.
const (
	dingKnown   = "OuzzJR5+xZ4/EYwqtNt6sMYZQMTa/HEGvc9miJe7XzY="
	feishuKnown = "fiWS2+gh28DOydAv7hzONH/mDn9+b1Y4Y5ivXWXy8vA="
)
