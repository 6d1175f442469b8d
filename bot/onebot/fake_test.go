package onebot

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coder/websocket"

	"youthlink/bot"
)

// fakeOneBot is the QQ side for tests: a NapCat-like OneBot v11 implementation that speaks the
// wire protocol over loopback sockets. It answers actions from its own little world (one
// account, some groups) and records every action it received.
type fakeOneBot struct {
	t      testing.TB
	self   int64
	token  string // sent (reverse-ws) or required (forward-ws server, HTTP API)
	secret string // HTTP POST signing secret
	groups map[int64]fakeGroup

	// override, when set, answers an action instead of the default world; ok=false falls
	// through to the default.
	override func(action string, params map[string]json.RawMessage) (resp map[string]any, ok bool)

	mu      sync.Mutex
	calls   []fakeCall
	callc   chan fakeCall
	msgSeq  int64
	evConns []*websocket.Conn // sockets events are pushed on
	all     []*websocket.Conn
	refused int // requests refused for a bad token (forward-ws server, HTTP API)
}

type fakeGroup struct {
	name    string
	members []map[string]any
}

type fakeCall struct {
	Action string
	Params map[string]json.RawMessage
}

func newFake(t testing.TB, self int64) *fakeOneBot {
	return &fakeOneBot{
		t: t, self: self, callc: make(chan fakeCall, 1000),
		groups: map[int64]fakeGroup{
			555: {name: "青年之家1群", members: []map[string]any{
				{"user_id": 777, "nickname": "张三", "card": "三哥", "role": "member"},
				{"user_id": 888, "nickname": "李四", "card": "", "role": "admin"},
				{"user_id": self, "nickname": "青联小助手", "card": "", "role": "member"},
			}},
		},
	}
}

// answer runs one action and returns the response (without echo).
func (f *fakeOneBot) answer(action string, params map[string]json.RawMessage) map[string]any {
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{action, params})
	f.mu.Unlock()
	select {
	case f.callc <- fakeCall{action, params}:
	default:
	}
	if f.override != nil {
		if r, ok := f.override(action, params); ok {
			return r
		}
	}
	ok := func(data any) map[string]any { return map[string]any{"status": "ok", "retcode": 0, "data": data} }
	var gid int64
	_ = json.Unmarshal(params["group_id"], &gid)
	switch action {
	case "get_login_info":
		return ok(map[string]any{"user_id": f.self, "nickname": "青联小助手"})
	case "get_group_list":
		var gs []map[string]any
		for id, g := range f.groups {
			gs = append(gs, map[string]any{"group_id": id, "group_name": g.name, "member_count": len(g.members)})
		}
		return ok(gs)
	case "get_group_info":
		if g, found := f.groups[gid]; found {
			return ok(map[string]any{"group_id": gid, "group_name": g.name})
		}
	case "get_group_member_list":
		if g, found := f.groups[gid]; found {
			return ok(g.members)
		}
	case "send_group_msg", "send_private_msg":
		f.mu.Lock()
		f.msgSeq++
		n := f.msgSeq
		f.mu.Unlock()
		return ok(map[string]any{"message_id": 90000 + n})
	default:
		return map[string]any{"status": "failed", "retcode": 1404, "data": nil, "message": "不支持的 API"}
	}
	return map[string]any{"status": "failed", "retcode": 200, "data": nil, "message": "群不存在"}
}

// waitCall returns the next recorded action named action, skipping others.
func (f *fakeOneBot) waitCall(action string) fakeCall {
	f.t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		select {
		case c := <-f.callc:
			if c.Action == action {
				return c
			}
		case <-deadline:
			f.t.Fatalf("fake: no %s call arrived", action)
		}
	}
}

// serveActions answers action frames on c until it closes. Frames with other shapes are ignored.
func (f *fakeOneBot) serveActions(ctx context.Context, c *websocket.Conn) {
	for {
		_, data, err := c.Read(ctx)
		if err != nil {
			return
		}
		var req struct {
			Action string                     `json:"action"`
			Params map[string]json.RawMessage `json:"params"`
			Echo   json.RawMessage            `json:"echo"`
		}
		if json.Unmarshal(data, &req) != nil || req.Action == "" {
			continue
		}
		resp := f.answer(req.Action, req.Params)
		resp["echo"] = req.Echo
		out, _ := json.Marshal(resp)
		if err := c.Write(ctx, websocket.MessageText, out); err != nil {
			return
		}
	}
}

// dialReverse connects to the adapter as a reverse-ws client with the given role
// ("Universal", "API" or "Event"); events are then pushed on Universal and Event sockets.
func (f *fakeOneBot) dialReverse(ctx context.Context, url, role string) (*websocket.Conn, error) {
	h := http.Header{}
	h.Set("X-Self-ID", fmt.Sprint(f.self))
	h.Set("X-Client-Role", role)
	h.Set("User-Agent", "NapCat/4 (fake)")
	if f.token != "" {
		h.Set("Authorization", "Bearer "+f.token)
	}
	c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: h})
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("http %d: %w", resp.StatusCode, err)
		}
		return nil, err
	}
	c.SetReadLimit(8 << 20)
	f.track(c, role != "API")
	if role == "Event" {
		c.CloseRead(ctx)
	} else {
		go f.serveActions(ctx, c)
	}
	return c, nil
}

func (f *fakeOneBot) track(c *websocket.Conn, events bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.all = append(f.all, c)
	if events {
		f.evConns = append(f.evConns, c)
	}
}

// push sends one raw frame on every event socket.
func (f *fakeOneBot) push(ctx context.Context, frame []byte) {
	f.t.Helper()
	f.mu.Lock()
	conns := append([]*websocket.Conn(nil), f.evConns...)
	f.mu.Unlock()
	if len(conns) == 0 {
		f.t.Fatalf("fake: no event socket to push on")
	}
	for _, c := range conns {
		if err := c.Write(ctx, websocket.MessageText, frame); err != nil {
			f.t.Fatalf("fake: push: %v", err)
		}
	}
}

// drop closes every socket, as a crashing OneBot implementation would.
func (f *fakeOneBot) drop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.all {
		c.CloseNow()
	}
	f.all, f.evConns = nil, nil
}

func (f *fakeOneBot) eventSockets() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.evConns)
}

// checkToken enforces the fake's access token on requests made to it.
func (f *fakeOneBot) checkToken(w http.ResponseWriter, r *http.Request) bool {
	if f.token == "" {
		return true
	}
	got := r.URL.Query().Get("access_token")
	if a := r.Header.Get("Authorization"); a != "" {
		got = strings.TrimPrefix(a, "Bearer ")
	}
	if got != f.token {
		f.mu.Lock()
		f.refused++
		f.mu.Unlock()
		code := http.StatusForbidden
		if got == "" {
			code = http.StatusUnauthorized
		}
		http.Error(w, "token", code)
		return false
	}
	return true
}

// wsServer is the fake's forward WebSocket server: "/" universal, "/api", "/event".
func (f *fakeOneBot) wsServer(ctx context.Context) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.checkToken(w, r) {
			return
		}
		c, err := websocket.Accept(w, r, nil)
		if err != nil {
			return
		}
		c.SetReadLimit(8 << 20)
		switch r.URL.Path {
		case "/event":
			f.track(c, true)
			<-c.CloseRead(ctx).Done()
		case "/api":
			f.track(c, false)
			f.serveActions(ctx, c)
		default:
			f.track(c, true)
			f.serveActions(ctx, c)
		}
	}))
	f.t.Cleanup(srv.Close)
	return srv
}

// apiServer is the fake's HTTP API: POST /<action> with a JSON body of params.
func (f *fakeOneBot) apiServer() *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !f.checkToken(w, r) {
			return
		}
		params := map[string]json.RawMessage{}
		_ = json.NewDecoder(r.Body).Decode(&params)
		resp := f.answer(strings.TrimPrefix(r.URL.Path, "/"), params)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}))
	f.t.Cleanup(srv.Close)
	return srv
}

// post sends an event by HTTP POST, signed with secret ("" for no signature), and returns the
// status code.
func (f *fakeOneBot) post(ctx context.Context, url string, body []byte, secret, token string) int {
	f.t.Helper()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		f.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Self-ID", fmt.Sprint(f.self))
	if secret != "" {
		m := hmac.New(sha1.New, []byte(secret))
		m.Write(body)
		req.Header.Set("X-Signature", "sha1="+hex.EncodeToString(m.Sum(nil)))
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatalf("fake: post: %v", err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// groupMsg builds a group message event; message is a segment array or a CQ string.
func (f *fakeOneBot) groupMsg(msgID, group, user int64, nickname, card string, message any) []byte {
	raw := ""
	if s, ok := message.(string); ok {
		raw = s
	}
	b, _ := json.Marshal(map[string]any{
		"time": 1718000000, "self_id": f.self, "post_type": "message", "message_type": "group",
		"sub_type": "normal", "message_id": msgID, "group_id": group, "user_id": user,
		"message": message, "raw_message": raw, "font": 0,
		"sender": map[string]any{"user_id": user, "nickname": nickname, "card": card, "role": "member"},
	})
	return b
}

// recSink records delivered events.
type recSink struct{ ch chan bot.Event }

func newRecSink() *recSink { return &recSink{ch: make(chan bot.Event, 1000)} }

func (s *recSink) Deliver(ctx context.Context, ev bot.Event) error {
	select {
	case s.ch <- ev:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *recSink) next(t testing.TB) bot.Event {
	t.Helper()
	select {
	case ev := <-s.ch:
		return ev
	case <-time.After(10 * time.Second):
		t.Fatalf("sink: no event arrived")
	}
	return bot.Event{}
}

// recRoster records rosters handed to the RosterSink.
type recRoster struct {
	mu  sync.Mutex
	got map[string][]Member // account/group
	ch  chan string
}

func newRecRoster() *recRoster {
	return &recRoster{got: map[string][]Member{}, ch: make(chan string, 100)}
}

func (r *recRoster) Members(ctx context.Context, account, group, name string, ms []Member) error {
	r.mu.Lock()
	r.got[account+"/"+group+"/"+name] = ms
	r.mu.Unlock()
	r.ch <- account + "/" + group + "/" + name
	return nil
}

// startAdapter runs an adapter for cfg until the test ends.
func startAdapter(t testing.TB, cfg Config, sink bot.Sink, opts ...Option) *Adapter {
	t.Helper()
	a, err := New(cfg, opts...)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx, sink) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("Run: %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Errorf("Run did not return after cancel")
		}
	})
	return a
}

// wsURL is the reverse-ws URL of connection i.
func wsURL(t testing.TB, a *Adapter, i int) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	addr, err := a.addr(ctx, i)
	if err != nil {
		t.Fatal(err)
	}
	return "ws://" + addr.String() + "/onebot/v11/ws"
}

// waitAccount waits until the adapter has account self connected.
func waitAccount(t testing.TB, a *Adapter, self string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, s := range a.Accounts() {
			if s == self {
				return
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("account %s never connected; have %v", self, a.Accounts())
}
