package wechat

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"youthlink/bot"
)

// clock is a test clock both the fake and the adapter read; restarts move it forward.
type clock struct {
	mu     sync.Mutex
	offset time.Duration
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.offset)
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// recSink records delivered events.
type recSink struct {
	ch chan bot.Event
}

func newRecSink() *recSink { return &recSink{ch: make(chan bot.Event, 100)} }

func (s *recSink) Deliver(_ context.Context, ev bot.Event) error {
	select {
	case s.ch <- ev:
		return nil
	default:
		return errors.New("sink full")
	}
}

func (s *recSink) next(t *testing.T) bot.Event {
	t.Helper()
	select {
	case ev := <-s.ch:
		return ev
	case <-time.After(5 * time.Second):
		t.Fatalf("no event delivered")
	}
	return bot.Event{}
}

// none fails if an event arrives within d.
func (s *recSink) none(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case ev := <-s.ch:
		t.Fatalf("unexpected event %+v", ev)
	case <-time.After(d):
	}
}

// harness runs one adapter against the fake until stopped.
type harness struct {
	a      *Adapter
	sink   *recSink
	cancel context.CancelFunc
	done   chan error
	qrOut  *bytes.Buffer
	mu     sync.Mutex
	alerts []string
	qrURLs []string
	sleeps []time.Duration
}

func start(t *testing.T, f *fakeWeChat, clk *clock, dir string, cfg Config) *harness {
	t.Helper()
	h := &harness{sink: newRecSink(), done: make(chan error, 1), qrOut: &bytes.Buffer{}}
	cfg.Enabled, cfg.DataDir = true, dir
	if cfg.Reconnect == (Backoff{}) {
		cfg.Reconnect = Backoff{Min: 10 * time.Millisecond, Max: 40 * time.Millisecond}
	}
	a, err := New(cfg, Options{
		Logger:    slog.New(slog.NewTextHandler(io.Discard, nil)),
		Transport: f.transport(),
		Now:       clk.Now,
		QROut:     &lockedWriter{w: h.qrOut, mu: &h.mu},
		OnQR: func(_ context.Context, url string) {
			h.mu.Lock()
			h.qrURLs = append(h.qrURLs, url)
			h.mu.Unlock()
		},
		Alert: func(_ context.Context, text string) {
			h.mu.Lock()
			h.alerts = append(h.alerts, text)
			h.mu.Unlock()
		},
		Sleep: func(ctx context.Context, d time.Duration) error {
			h.mu.Lock()
			h.sleeps = append(h.sleeps, d)
			h.mu.Unlock()
			return sleep(ctx, d)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	h.a = a
	ctx, cancel := context.WithCancel(context.Background())
	h.cancel = cancel
	go func() { h.done <- a.Run(ctx, h.sink) }()
	t.Cleanup(h.stop)
	h.waitOnline(t)
	return h
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (h *harness) stop() {
	if h.cancel == nil {
		return
	}
	h.cancel()
	h.cancel = nil
	<-h.done
}

// waitOnline waits until a session is up and has learnt the group's route.
func (h *harness) waitOnline(t *testing.T) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if s := h.a.current(); s != nil {
			return
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("adapter never logged in")
}

func (h *harness) snapshot() (alerts, qr []string, sleeps []time.Duration) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.alerts...), append([]string(nil), h.qrURLs...), append([]time.Duration(nil), h.sleeps...)
}

// answer replies to ev the way the engine's handlers would.
func answer(t *testing.T, h *harness, ev bot.Event, text string) {
	t.Helper()
	_, err := h.a.Send(context.Background(), bot.Outgoing{Chat: bot.Chat{Platform: bot.WeChat, Kind: ev.ChatKind, ID: ev.ChatID}, Text: text})
	if err != nil {
		t.Fatalf("send: %v", err)
	}
}

func TestLoginMessageReplyQuoteJoinAndHotRestart(t *testing.T) {
	clk := &clock{}
	f := newFakeWeChat(t, clk.Now)
	dir := t.TempDir()
	h := start(t, f, clk, dir, Config{})

	_, qrURLs, _ := h.snapshot()
	if got, want := len(qrURLs), 1; got != want {
		t.Fatalf("qr links = %d, want %d", got, want)
	}
	if !strings.HasPrefix(qrURLs[0], "https://login.weixin.qq.com/qrcode/uuid") {
		t.Fatalf("qr link = %q", qrURLs[0])
	}
	h.mu.Lock()
	drawn := h.qrOut.String()
	h.mu.Unlock()
	if !strings.Contains(drawn, "█") || strings.Count(drawn, "\n") < 10 {
		t.Fatalf("no QR code drawn: %q", drawn)
	}
	if qr, push := f.counts(); qr != 1 || push != 0 {
		t.Fatalf("qr logins %d, push logins %d", qr, push)
	}
	st, err := os.Stat(filepath.Join(dir, "wechat-session.json"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := st.Mode().Perm(), os.FileMode(0o600); got != want {
		t.Fatalf("session file mode %v, want %v", got, want)
	}

	// A question with @bot.
	askID := f.push(fakeMsg{Type: typeText, Group: true, From: "zs", Content: "@青年助手\u2005今天开会吗？"})
	ask := h.sink.next(t)
	if got, want := ask.MsgID, formatID(askID); got != want {
		t.Fatalf("MsgID = %q, want %q", got, want)
	}
	if !ask.AtBot || ask.Text != "今天开会吗？" || ask.ChatKind != bot.Group || ask.ChatName != fakeGroup {
		t.Fatalf("ask = %+v", ask)
	}
	if ask.Sender.Name != "张三" || ask.Sender.Card != "三哥" || ask.Sender.ID == "" || ask.Account != "青年助手" {
		t.Fatalf("sender = %+v account %q", ask.Sender, ask.Account)
	}
	answer(t, h, ask, "今晚七点开会。")
	sent := f.sentMessages()
	if len(sent) != 1 || sent[0].To != fakeGroup || sent[0].Content != "今晚七点开会。" {
		t.Fatalf("sent = %+v", sent)
	}

	// A quote of the question, by 李四, mentioning 张三 by card.
	quote := `<msg><appmsg appid="" sdkver="0"><title>@三哥` + "\u2005" + `我也想知道</title><type>57</type><refermsg><type>1</type><svrid>` +
		formatID(askID) + `</svrid><displayname>三哥</displayname><content>今天开会吗？</content></refermsg></appmsg></msg>`
	f.push(fakeMsg{Type: typeApp, AppMsgType: appQuote, Group: true, From: "ls", Content: quote})
	q := h.sink.next(t)
	if q.ReplyTo != ask.MsgID || q.Kind != bot.Text || q.AtBot {
		t.Fatalf("quote = %+v", q)
	}
	if len(q.Mentions) != 1 || q.Mentions[0].ID != ask.Sender.ID {
		t.Fatalf("mentions = %+v, want 张三 %s", q.Mentions, ask.Sender.ID)
	}
	if q.ChatID != ask.ChatID || q.Sender.ID == ask.Sender.ID {
		t.Fatalf("quote chat %q sender %q", q.ChatID, q.Sender.ID)
	}

	// 王五 joins.
	f.addMember(fakeMember{"ww", "王五", "", "103"})
	f.push(fakeMsg{Type: typeSys, Group: true, Content: `"张三"邀请"王五"加入了群聊`})
	j := h.sink.next(t)
	if j.Kind != bot.System || j.Notice != bot.NoticeJoin || j.Sender.Name != "王五" || j.ChatID != ask.ChatID {
		t.Fatalf("join = %+v", j)
	}
	h.stop()
	answered := len(f.sentMessages())

	// Restart a minute later: hot login, WeChat replays everything, one message is new.
	clk.advance(time.Minute)
	h2 := startNoQR(t, f, clk, dir)
	f.replay()
	newID := f.push(fakeMsg{Type: typeText, Group: true, From: "zs", Content: "@青年助手\u2005地点在哪？"})
	ev := h2.sink.next(t)
	if got, want := ev.MsgID, formatID(newID); got != want {
		t.Fatalf("after restart got %q (%q), want only the new %q", got, ev.Text, want)
	}
	if ev.ChatID != ask.ChatID || ev.Sender.ID != ask.Sender.ID {
		t.Fatalf("identity changed across restart: chat %q→%q sender %q→%q", ask.ChatID, ev.ChatID, ask.Sender.ID, ev.Sender.ID)
	}
	answer(t, h2, ev, "在团委三楼。")
	h2.sink.none(t, 300*time.Millisecond)
	if got, want := len(f.sentMessages()), answered+1; got != want {
		t.Fatalf("sent %d messages, want %d (no second answer)", got, want)
	}
	if qr, _ := f.counts(); qr != 1 {
		t.Fatalf("restart asked for a QR code: %d QR logins", qr)
	}
}

func startNoQR(t *testing.T, f *fakeWeChat, clk *clock, dir string) *harness {
	t.Helper()
	h := start(t, f, clk, dir, Config{})
	if _, qr, _ := h.snapshot(); len(qr) != 0 {
		t.Fatalf("hot login showed a QR code: %v", qr)
	}
	return h
}

func formatID(id int64) string { return strconv.FormatInt(id, 10) }

func TestSessionExpiryRelogsAndAlerts(t *testing.T) {
	clk := &clock{}
	f := newFakeWeChat(t, clk.Now)
	h := start(t, f, clk, t.TempDir(), Config{})
	f.push(fakeMsg{Type: typeText, Group: true, From: "zs", Content: "大家好"})
	before := h.sink.next(t)
	first := h.a.current()

	f.expire()
	deadline := time.Now().Add(5 * time.Second)
	for {
		if s := h.a.current(); s != nil && s != first {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no new session after expiry")
		}
		time.Sleep(5 * time.Millisecond)
	}
	alerts, _, sleeps := h.snapshot()
	if len(alerts) == 0 || !strings.Contains(alerts[0], "掉线") {
		t.Fatalf("alerts = %q", alerts)
	}
	if len(sleeps) == 0 || sleeps[0] < 10*time.Millisecond {
		t.Fatalf("re-login without waiting: sleeps %v", sleeps)
	}
	if qr, push := f.counts(); qr != 1 || push != 1 {
		t.Fatalf("after expiry: %d QR logins, %d push logins; want 1, 1", qr, push)
	}
	f.push(fakeMsg{Type: typeText, Group: true, From: "zs", Content: "还在吗"})
	after := h.sink.next(t)
	if after.Text != "还在吗" || after.ChatID != before.ChatID || after.Sender.ID != before.Sender.ID {
		t.Fatalf("after re-login = %+v, before %+v", after, before)
	}
	answer(t, h, after, "在的")
	if sent := f.sentMessages(); len(sent) != 1 || sent[0].To != fakeGroup {
		t.Fatalf("sent after re-login = %+v", sent)
	}
}

func TestSendErrors(t *testing.T) {
	clk := &clock{}
	f := newFakeWeChat(t, clk.Now)
	h := start(t, f, clk, t.TempDir(), Config{})
	f.push(fakeMsg{Type: typeText, Group: true, From: "zs", Content: "hi"})
	ev := h.sink.next(t)
	group := bot.Chat{Platform: bot.WeChat, Kind: bot.Group, ID: ev.ChatID}

	f.mu.Lock()
	f.sendRet = []int{1205}
	f.mu.Unlock()
	_, err := h.a.Send(context.Background(), bot.Outgoing{Chat: group, Text: "慢一点"})
	if !errors.Is(err, bot.ErrRateLimited) {
		t.Fatalf("Ret 1205: err = %v, want ErrRateLimited", err)
	}
	_, err = h.a.Send(context.Background(), bot.Outgoing{Chat: bot.Chat{Platform: bot.WeChat, Kind: bot.Group, ID: "wxg_nosuch"}, Text: "x"})
	if !errors.Is(err, bot.ErrNoRoute) {
		t.Fatalf("unknown chat: err = %v, want ErrNoRoute", err)
	}
	if n := len(f.sentMessages()); n != 0 {
		t.Fatalf("%d messages recorded, want 0", n)
	}
}

func TestSendSplitsLongTextAndResumes(t *testing.T) {
	clk := &clock{}
	f := newFakeWeChat(t, clk.Now)
	h := start(t, f, clk, t.TempDir(), Config{SplitRunes: 50})
	f.push(fakeMsg{Type: typeText, Group: true, From: "zs", Content: "hi"})
	ev := h.sink.next(t)

	text := strings.Repeat("团员青年联系台账😀", 14) // 126 runes, some outside the BMP
	f.mu.Lock()
	f.sendRet = []int{0, 1205} // the second piece is refused once
	f.mu.Unlock()
	out := bot.Outgoing{ID: 42, Chat: bot.Chat{Platform: bot.WeChat, Kind: bot.Group, ID: ev.ChatID}, Text: text}
	if _, err := h.a.Send(context.Background(), out); !errors.Is(err, bot.ErrRateLimited) {
		t.Fatalf("first try: %v", err)
	}
	if _, err := h.a.Send(context.Background(), out); err != nil {
		t.Fatalf("retry: %v", err)
	}
	sent := f.sentMessages()
	if got, want := len(sent), 3; got != want {
		t.Fatalf("sent %d pieces, want %d: %+v", got, want, sent)
	}
	var joined strings.Builder
	for _, s := range sent {
		if !utf8.ValidString(s.Content) || utf8.RuneCountInString(s.Content) > 50 {
			t.Fatalf("bad piece %q", s.Content)
		}
		joined.WriteString(s.Content)
	}
	if got := joined.String(); got != text {
		t.Fatalf("pieces join to %q, want %q", got, text)
	}
}
