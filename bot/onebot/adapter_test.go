package onebot

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
)

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// helpMsg is "@bot /帮助" replying to message 120, as NapCat sends it.
var helpMsg = []map[string]any{
	{"type": "reply", "data": map[string]any{"id": "120"}},
	{"type": "at", "data": map[string]any{"qq": "10001"}},
	{"type": "text", "data": map[string]any{"text": " /帮助"}},
}

func wantHelpEvent() bot.Event {
	return bot.Event{
		Platform: bot.QQ, Account: "10001", ChatKind: bot.Group, ChatID: "555", ChatName: "青年之家1群",
		MsgID: "123", Sender: bot.User{ID: "777", Name: "张三", Card: "三哥"}, AtBot: true,
		ReplyTo: "120", Kind: bot.Text, Text: "/帮助", Time: time.Unix(1718000000, 0),
	}
}

// sendAndCheck sends a reply with the adapter and checks what the fake received.
func sendAndCheck(t *testing.T, ctx context.Context, a *Adapter, f *fakeOneBot, account string) {
	t.Helper()
	id, err := a.Send(ctx, bot.Outgoing{
		Chat: bot.Chat{Platform: bot.QQ, Account: account, Kind: bot.Group, ID: "555"},
		Text: "可用命令：/台账 /问", ReplyTo: "123", Mention: []bot.User{{ID: "777", Name: "张三"}},
	})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if !strings.HasPrefix(id, "9000") {
		t.Fatalf("Send returned message id %q, want the fake's 9000x", id)
	}
	c := f.waitCall("send_group_msg")
	if got, want := string(c.Params["group_id"]), "555"; got != want {
		t.Fatalf("group_id = %s, want %s (a number)", got, want)
	}
	var msg []struct {
		Type string            `json:"type"`
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal(c.Params["message"], &msg); err != nil {
		t.Fatalf("message is not a segment array: %s", c.Params["message"])
	}
	want := []struct {
		Type string            `json:"type"`
		Data map[string]string `json:"data"`
	}{
		{"reply", map[string]string{"id": "123"}},
		{"at", map[string]string{"qq": "777"}},
		{"text", map[string]string{"text": " 可用命令：/台账 /问"}},
	}
	if !reflect.DeepEqual(msg, want) {
		t.Fatalf("message = %+v, want %+v", msg, want)
	}
}

func TestReverseUniversal(t *testing.T) {
	ctx := testCtx(t)
	sink := newRecSink()
	a := startAdapter(t, Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0", Token: "s3cret"}}}, sink)
	f := newFake(t, 10001)
	f.token = "s3cret"
	if _, err := f.dialReverse(ctx, wsURL(t, a, 0), "Universal"); err != nil {
		t.Fatalf("dial: %v", err)
	}
	waitAccount(t, a, "10001")
	waitRoster(t, a, "10001", "555") // roster known before the message, so ChatName is set
	f.push(ctx, f.groupMsg(123, 555, 777, "张三", "三哥", helpMsg))
	if got, want := sink.next(t), wantHelpEvent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("event:\n got %+v\nwant %+v", got, want)
	}
	sendAndCheck(t, ctx, a, f, "10001")
}

func TestReverseSplit(t *testing.T) {
	ctx := testCtx(t)
	sink := newRecSink()
	a := startAdapter(t, Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0"}}}, sink)
	f := newFake(t, 10001)
	url := wsURL(t, a, 0)
	if _, err := f.dialReverse(ctx, strings.Replace(url, "/ws", "/api", 1), "API"); err != nil {
		t.Fatalf("dial api: %v", err)
	}
	if _, err := f.dialReverse(ctx, strings.Replace(url, "/ws", "/event", 1), "Event"); err != nil {
		t.Fatalf("dial event: %v", err)
	}
	waitAccount(t, a, "10001")
	waitRoster(t, a, "10001", "555")
	f.push(ctx, f.groupMsg(123, 555, 777, "张三", "三哥", helpMsg))
	if got, want := sink.next(t), wantHelpEvent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("event:\n got %+v\nwant %+v", got, want)
	}
	sendAndCheck(t, ctx, a, f, "")
}

func TestForwardWSReconnect(t *testing.T) {
	for _, split := range []bool{false, true} {
		t.Run(map[bool]string{false: "universal", true: "split"}[split], func(t *testing.T) {
			ctx := testCtx(t)
			f := newFake(t, 10001)
			f.token = "tok"
			srv := f.wsServer(ctx)
			sink := newRecSink()
			a := startAdapter(t, Config{Connections: []Conn{{
				Mode: ModeForwardWS, URL: "ws" + strings.TrimPrefix(srv.URL, "http"), Split: split,
				Token: "tok", RetryMin: 10 * time.Millisecond, RetryMax: 50 * time.Millisecond,
			}}}, sink)
			waitAccount(t, a, "10001")
			waitRoster(t, a, "10001", "555")
			// Split, the account is known from the API socket, which may come up before the event one.
			waitFor(t, "event socket", func() bool { return f.eventSockets() > 0 })
			msg := f.groupMsg(123, 555, 777, "张三", "三哥", helpMsg)
			f.push(ctx, msg)
			first := sink.next(t)
			if got, want := first, wantHelpEvent(); !reflect.DeepEqual(got, want) {
				t.Fatalf("event:\n got %+v\nwant %+v", got, want)
			}
			sendAndCheck(t, ctx, a, f, "10001")

			f.drop()
			waitFor(t, "redial", func() bool { return f.eventSockets() > 0 && len(a.Accounts()) == 1 })
			f.push(ctx, msg) // the implementation re-sends after reconnecting
			again := sink.next(t)
			if got, want := again.Key(), first.Key(); got != want {
				t.Fatalf("re-sent message key %q, want %q (same MsgID, so the engine dedupes)", got, want)
			}
			sendAndCheck(t, ctx, a, f, "10001")
		})
	}
}

func waitRoster(t *testing.T, a *Adapter, account, group string) {
	t.Helper()
	waitFor(t, "roster of "+group, func() bool { return a.roster.groupName(account, group) != "" })
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestReverseReconnectSameMsgID(t *testing.T) {
	ctx := testCtx(t)
	sink := newRecSink()
	a := startAdapter(t, Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0"}}}, sink)
	f := newFake(t, 10001)
	url := wsURL(t, a, 0)
	if _, err := f.dialReverse(ctx, url, "Universal"); err != nil {
		t.Fatal(err)
	}
	msg := f.groupMsg(123, 555, 777, "张三", "三哥", "[CQ:at,qq=10001] /帮助")
	f.push(ctx, msg)
	first := sink.next(t)
	f.drop()
	waitFor(t, "account to drop", func() bool { return len(a.Accounts()) == 0 })
	if _, err := a.Send(ctx, bot.Outgoing{Chat: bot.Chat{Kind: bot.Group, ID: "555"}, Text: "x"}); err == nil {
		t.Fatalf("Send with no account connected succeeded")
	}
	if _, err := f.dialReverse(ctx, url, "Universal"); err != nil {
		t.Fatal(err)
	}
	f.push(ctx, msg)
	again := sink.next(t)
	if got, want := again.Key(), first.Key(); got != want {
		t.Fatalf("key after reconnect %q, want %q", got, want)
	}
	sendAndCheck(t, ctx, a, f, "")
}

func TestHTTPMode(t *testing.T) {
	ctx := testCtx(t)
	f := newFake(t, 10001)
	f.token = "apitok"
	api := f.apiServer()
	sink := newRecSink()
	a := startAdapter(t, Config{Connections: []Conn{{
		Mode: ModeHTTP, Listen: "127.0.0.1:0", URL: api.URL, Token: "apitok", Secret: "sig-secret",
	}}}, sink)
	addr, err := a.addr(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	post := "http://" + addr.String() + "/"
	waitAccount(t, a, "10001")
	waitRoster(t, a, "10001", "555")
	body := f.groupMsg(123, 555, 777, "张三", "三哥", helpMsg)

	for _, tc := range []struct {
		name, secret string
		body         []byte
		want         int
	}{
		{"no signature", "", body, 401},
		{"wrong secret", "guess", body, 403},
		{"signed", "sig-secret", body, 204},
		{"invalid json, signed", "sig-secret", []byte(`{"post_type":`), 204},
	} {
		if got := f.post(ctx, post, tc.body, tc.secret, ""); got != tc.want {
			t.Fatalf("%s: status %d, want %d", tc.name, got, tc.want)
		}
	}
	if got, want := sink.next(t), wantHelpEvent(); !reflect.DeepEqual(got, want) {
		t.Fatalf("event:\n got %+v\nwant %+v", got, want)
	}
	select {
	case ev := <-sink.ch:
		t.Fatalf("refused or malformed post was delivered: %+v", ev)
	default:
	}
	sendAndCheck(t, ctx, a, f, "10001")
	if f.refused != 0 {
		t.Fatalf("fake HTTP API refused %d requests: adapter did not send its token", f.refused)
	}
}

func TestBadTokenRefused(t *testing.T) {
	ctx := testCtx(t)
	a := startAdapter(t, Config{Connections: []Conn{
		{Mode: ModeReverseWS, Listen: "127.0.0.1:0", Token: "right"},
		{Mode: ModeHTTP, Listen: "127.0.0.1:0", URL: "http://127.0.0.1:1", Token: "right", RetryMin: time.Hour},
	}}, newRecSink())
	url := wsURL(t, a, 0)
	for _, tc := range []struct {
		name, token string
		want        string
	}{
		{"missing", "", "http 401"},
		{"wrong", "wrong", "http 403"},
	} {
		f := newFake(t, 10001)
		f.token = tc.token
		_, err := f.dialReverse(ctx, url, "Universal")
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Fatalf("reverse-ws %s token: err %v, want %s", tc.name, err, tc.want)
		}
	}
	f := newFake(t, 10001)
	if _, err := f.dialReverse(ctx, url+"?access_token=right", "Universal"); err != nil {
		t.Fatalf("reverse-ws query token refused: %v", err)
	}
	waitAccount(t, a, "10001")

	addr, _ := a.addr(ctx, 1)
	post := "http://" + addr.String() + "/"
	body := f.groupMsg(1, 555, 777, "张三", "", "hi")
	for _, tc := range []struct {
		token string
		want  int
	}{{"", 401}, {"wrong", 403}, {"right", 204}} {
		if got := f.post(ctx, post, body, "", tc.token); got != tc.want {
			t.Fatalf("http post with token %q: status %d, want %d", tc.token, got, tc.want)
		}
	}
}

func TestMalformedFramesSkipped(t *testing.T) {
	ctx := testCtx(t)
	sink := newRecSink()
	a := startAdapter(t, Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0"}}}, sink)
	f := newFake(t, 10001)
	if _, err := f.dialReverse(ctx, wsURL(t, a, 0), "Universal"); err != nil {
		t.Fatal(err)
	}
	waitAccount(t, a, "10001")
	oneMB := strings.Repeat("青", 350_000) // ~1 MB of text
	fiveMB := `{"post_type":"message","pad":"` + strings.Repeat("x", 5<<20) + `"}`
	for _, frame := range [][]byte{
		[]byte(`{"post_type":"message",`),
		[]byte(`not json at all`),
		[]byte(`{"time":1718000000,"self_id":10001,"post_type":"telepathy"}`),
		[]byte(`{"time":1718000000,"self_id":10001,"post_type":"meta_event","meta_event_type":"heartbeat","interval":15000}`),
		[]byte(`{"time":1718000000,"self_id":10001,"post_type":"message","message_type":"group","group_id":555}`),
		[]byte(`{"status":"ok","retcode":0,"data":null,"echo":"nobody-waits"}`),
		[]byte(fiveMB),
		f.groupMsg(200, 555, 777, "张三", "三哥", oneMB),
		f.groupMsg(201, 555, 777, "张三", "三哥", "还在吗"),
	} {
		f.push(ctx, frame)
	}
	big := sink.next(t)
	if got, want := big.MsgID, "200"; got != want {
		t.Fatalf("first delivered MsgID %q, want %q (the 1 MB message, cut)", got, want)
	}
	if got, max := len(big.Text), a.cfg.MaxTextBytes+len("…"); got > max || !strings.HasPrefix(oneMB, strings.TrimSuffix(big.Text, "…")) {
		t.Fatalf("1 MB message text: %d bytes, want a prefix of at most %d", got, max)
	}
	if got, want := sink.next(t).Text, "还在吗"; got != want {
		t.Fatalf("message after malformed frames: %q, want %q", got, want)
	}
	sendAndCheck(t, ctx, a, f, "10001") // the same socket still carries actions
}

func TestRosterSync(t *testing.T) {
	ctx := testCtx(t)
	sink := newRecSink()
	rs := newRecRoster()
	a := startAdapter(t, Config{
		RosterInterval: 50 * time.Millisecond,
		Connections:    []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0"}},
	}, sink, WithRoster(rs))
	f := newFake(t, 10001)
	if _, err := f.dialReverse(ctx, wsURL(t, a, 0), "Universal"); err != nil {
		t.Fatal(err)
	}
	for range 2 { // on connect, then again after the interval
		select {
		case k := <-rs.ch:
			if got, want := k, "10001/555/青年之家1群"; got != want {
				t.Fatalf("roster for %q, want %q", got, want)
			}
		case <-ctx.Done():
			t.Fatal("roster never arrived")
		}
	}
	rs.mu.Lock()
	got := rs.got["10001/555/青年之家1群"]
	rs.mu.Unlock()
	want := []Member{
		{User: bot.User{ID: "777", Name: "张三", Card: "三哥"}, Role: "member"},
		{User: bot.User{ID: "888", Name: "李四"}, Role: "admin"},
		{User: bot.User{ID: "10001", Name: "青联小助手"}, Role: "member"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("members:\n got %+v\nwant %+v", got, want)
	}
	// Mentions are named from the roster; the bot's own mention is stripped.
	f.push(ctx, f.groupMsg(300, 555, 777, "张三", "三哥", "[CQ:at,qq=888] [CQ:at,qq=10001] 周五开会"))
	ev := sink.next(t)
	if got, want := ev.Mentions, []bot.User{{ID: "888", Name: "李四"}}; !reflect.DeepEqual(got, want) {
		t.Fatalf("mentions %+v, want %+v", got, want)
	}
	if got, want := ev.Text, "@李四  周五开会"; got != want {
		t.Fatalf("text %q, want %q", got, want)
	}
}

func TestActionStatuses(t *testing.T) {
	ctx := testCtx(t)
	a := startAdapter(t, Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0", SendBurst: 10}}}, newRecSink())
	f := newFake(t, 10001)
	var reply map[string]any
	f.override = func(action string, _ map[string]json.RawMessage) (map[string]any, bool) {
		if action != "send_group_msg" {
			return nil, false
		}
		return reply, true
	}
	if _, err := f.dialReverse(ctx, wsURL(t, a, 0), "Universal"); err != nil {
		t.Fatal(err)
	}
	waitAccount(t, a, "10001")
	for _, tc := range []struct {
		name        string
		reply       map[string]any
		wantID      string
		wantErr     bool
		rateLimited bool
	}{
		{"ok", map[string]any{"status": "ok", "retcode": 0, "data": map[string]any{"message_id": -2147000001}}, "-2147000001", false, false},
		{"ok, string id", map[string]any{"status": "ok", "retcode": 0, "data": map[string]any{"message_id": "42"}}, "42", false, false},
		{"async", map[string]any{"status": "async", "retcode": 1, "data": nil}, "", false, false},
		{"failed", map[string]any{"status": "failed", "retcode": 1200, "data": nil, "message": "群不存在"}, "", true, false},
		{"failed, rate limited", map[string]any{"status": "failed", "retcode": 1200, "data": nil, "wording": "发送消息过于频繁"}, "", true, true},
		{"failed, 429", map[string]any{"status": "failed", "retcode": 429, "data": nil}, "", true, true},
	} {
		reply = tc.reply
		id, err := a.Send(ctx, bot.Outgoing{Chat: bot.Chat{Kind: bot.Group, ID: "555"}, Text: "hi"})
		if got, want := id, tc.wantID; got != want {
			t.Fatalf("%s: id %q, want %q", tc.name, got, want)
		}
		if got, want := err != nil, tc.wantErr; got != want {
			t.Fatalf("%s: err %v, want error %v", tc.name, err, want)
		}
		if got, want := errors.Is(err, bot.ErrRateLimited), tc.rateLimited; got != want {
			t.Fatalf("%s: errors.Is(err, ErrRateLimited) = %v, want %v (err %v)", tc.name, got, want, err)
		}
		var ae *ActionError
		if got, want := errors.As(err, &ae), tc.wantErr; got != want {
			t.Fatalf("%s: errors.As ActionError = %v, want %v", tc.name, got, want)
		}
	}
}

func TestActionTimeout(t *testing.T) {
	ctx := testCtx(t)
	a := startAdapter(t, Config{ActionTimeout: 100 * time.Millisecond, Connections: []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0"}}}, newRecSink())
	f := newFake(t, 10001)
	block := make(chan struct{})
	t.Cleanup(func() { close(block) })
	f.override = func(action string, _ map[string]json.RawMessage) (map[string]any, bool) {
		if action == "send_group_msg" {
			<-block // never answers in time
		}
		return nil, false
	}
	if _, err := f.dialReverse(ctx, wsURL(t, a, 0), "Universal"); err != nil {
		t.Fatal(err)
	}
	waitAccount(t, a, "10001")
	_, err := a.Send(ctx, bot.Outgoing{Chat: bot.Chat{Kind: bot.Group, ID: "555"}, Text: "hi"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Send to a silent implementation: err %v, want deadline exceeded", err)
	}
}

func TestSendRoutesByAccount(t *testing.T) {
	ctx := testCtx(t)
	sink := newRecSink()
	a := startAdapter(t, Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: "127.0.0.1:0"}}}, sink)
	url := wsURL(t, a, 0)
	fa, fb := newFake(t, 10001), newFake(t, 20002)
	fb.groups = map[int64]fakeGroup{666: {name: "二群"}}
	for _, f := range []*fakeOneBot{fa, fb} {
		if _, err := f.dialReverse(ctx, url, "Universal"); err != nil {
			t.Fatal(err)
		}
	}
	waitAccount(t, a, "10001")
	waitAccount(t, a, "20002")
	fb.push(ctx, fb.groupMsg(5, 666, 777, "张三", "", "hi"))
	if got, want := sink.next(t).Account, "20002"; got != want {
		t.Fatalf("event account %q, want %q", got, want)
	}
	for _, tc := range []struct {
		account, group string
		want           *fakeOneBot
	}{
		{"10001", "666", fa}, // explicit account wins
		{"20002", "555", fb},
		{"", "666", fb}, // the account that saw the group
	} {
		if _, err := a.Send(ctx, bot.Outgoing{Chat: bot.Chat{Account: tc.account, Kind: bot.Group, ID: tc.group}, Text: "x"}); err != nil {
			t.Fatalf("send %s/%s: %v", tc.account, tc.group, err)
		}
		c := tc.want.waitCall("send_group_msg")
		if got, want := string(c.Params["group_id"]), tc.group; got != want {
			t.Fatalf("send via %d: group %s, want %s", tc.want.self, got, want)
		}
	}
	if _, err := a.Send(ctx, bot.Outgoing{Chat: bot.Chat{Account: "30003", Kind: bot.Group, ID: "555"}, Text: "x"}); err == nil {
		t.Fatalf("send through an unconnected account succeeded")
	}
	if _, err := a.Send(ctx, bot.Outgoing{Chat: bot.Chat{Kind: bot.Group, ID: "群名"}, Text: "x"}); !errors.Is(err, bot.ErrNoRoute) {
		t.Fatalf("send to a non-numeric group: %v, want ErrNoRoute", err)
	}
}
