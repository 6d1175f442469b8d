package onebot

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"slices"
	"strconv"
	"sync"
	"time"

	"youthlink/bot"
)

// maxFrameBytes is the largest frame or HTTP body read; bigger ones are skipped and logged.
const maxFrameBytes = 4 << 20

// Adapter is the OneBot v11 adapter. Create it with New; it implements bot.Adapter.
type Adapter struct {
	cfg        Config
	log        *slog.Logger
	rosterSink RosterSink
	roster     *roster
	dec        decoder

	mu       sync.Mutex
	accounts map[string]*account // by self_id
	limiters map[string]*limiter // by self_id, kept across reconnects
	running  bool
	addrs    []net.Addr // per connection; nil for forward-ws
	ready    chan struct{}
}

// account is one connected QQ account and the connection its actions go through.
type account struct {
	self string
	conn string // Conn.Name
	api  caller
}

var _ bot.Adapter = (*Adapter)(nil)

// Option configures an Adapter.
type Option func(*Adapter)

// WithLogger sets the logger; the default discards.
func WithLogger(l *slog.Logger) Option { return func(a *Adapter) { a.log = l } }

// WithRoster sets where group rosters go.
func WithRoster(s RosterSink) Option { return func(a *Adapter) { a.rosterSink = s } }

// New checks cfg and returns an adapter. Tokens and secrets must already be resolved
// (Config.Resolve). Nothing is opened before Run.
func New(cfg Config, opts ...Option) (*Adapter, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	a := &Adapter{
		cfg:      cfg.withDefaults(),
		log:      slog.New(slog.DiscardHandler),
		roster:   newRoster(),
		accounts: map[string]*account{},
		limiters: map[string]*limiter{},
		ready:    make(chan struct{}),
	}
	for _, o := range opts {
		o(a)
	}
	a.dec = decoder{roster: a.roster, maxText: a.cfg.MaxTextBytes, now: time.Now}
	return a, nil
}

// Platform reports bot.QQ.
func (a *Adapter) Platform() bot.Platform { return bot.QQ }

// Run opens every connection and hands events to sink until ctx ends. It fails at once if a
// listen address cannot be bound; dropped connections are not errors (forward-ws redials, and
// reverse-ws and http wait for the implementation to come back).
func (a *Adapter) Run(ctx context.Context, sink bot.Sink) error {
	a.mu.Lock()
	if a.running {
		a.mu.Unlock()
		return errors.New("onebot: Run called twice")
	}
	a.running = true
	a.mu.Unlock()

	lns := make([]net.Listener, len(a.cfg.Connections))
	addrs := make([]net.Addr, len(a.cfg.Connections))
	for i, cn := range a.cfg.Connections {
		if cn.Mode == ModeForwardWS {
			continue
		}
		var lc net.ListenConfig
		ln, err := lc.Listen(ctx, "tcp", cn.Listen)
		if err != nil {
			for _, l := range lns {
				if l != nil {
					l.Close()
				}
			}
			return fmt.Errorf("onebot %s: listen: %w", cn.Name, err)
		}
		lns[i], addrs[i] = ln, ln.Addr()
		a.log.Info("onebot: listening", "conn", cn.Name, "mode", cn.Mode, "addr", ln.Addr().String())
	}
	a.mu.Lock()
	a.addrs = addrs
	a.mu.Unlock()
	close(a.ready)

	errc := make(chan error, len(a.cfg.Connections))
	for i, cn := range a.cfg.Connections {
		go func() {
			switch cn.Mode {
			case ModeReverseWS:
				errc <- a.serve(ctx, cn, lns[i], a.reverseHandler(cn, sink))
			case ModeHTTP:
				errc <- a.runHTTP(ctx, cn, lns[i], sink)
			default:
				errc <- a.runForward(ctx, cn, sink)
			}
		}()
	}
	var first error
	for range a.cfg.Connections {
		if err := <-errc; err != nil && first == nil {
			first = err
		}
	}
	return first
}

// addr returns the bound address of connection i once Run has bound it.
func (a *Adapter) addr(ctx context.Context, i int) (net.Addr, error) {
	select {
	case <-a.ready:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.addrs[i], nil
}

// Accounts lists the QQ accounts connected now.
func (a *Adapter) Accounts() []string {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Sorted(maps.Keys(a.accounts))
}

// attach makes c the action path of account self and starts its roster sync, which lasts as
// long as ctx (the connection).
func (a *Adapter) attach(ctx context.Context, cn Conn, self string, c caller) {
	a.mu.Lock()
	if cur, ok := a.accounts[self]; ok && cur.api == c {
		a.mu.Unlock()
		return
	}
	a.accounts[self] = &account{self: self, conn: cn.Name, api: c}
	if a.limiters[self] == nil {
		a.limiters[self] = newLimiter(cn.SendPerMinute, cn.SendBurst)
	}
	a.mu.Unlock()
	a.log.Info("onebot: QQ account connected", "conn", cn.Name, "account", self)
	go a.rosterLoop(ctx, cn, self, c)
}

// detach forgets c as the action path of self, unless another connection replaced it.
func (a *Adapter) detach(cn Conn, self string, c caller) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if cur, ok := a.accounts[self]; ok && cur.api == c {
		delete(a.accounts, self)
		a.log.Info("onebot: QQ account disconnected", "conn", cn.Name, "account", self)
	}
}

func (a *Adapter) caller(self string) caller {
	a.mu.Lock()
	defer a.mu.Unlock()
	if acc := a.accounts[self]; acc != nil {
		return acc.api
	}
	return nil
}

// learnSelf asks the implementation which account it is and attaches it.
func (a *Adapter) learnSelf(ctx context.Context, cn Conn, c caller) {
	data, err := c.call(ctx, "get_login_info", map[string]any{})
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("onebot: get_login_info failed", "conn", cn.Name, "err", err)
		}
		return
	}
	var li struct {
		UserID   id     `json:"user_id"`
		Nickname string `json:"nickname"`
	}
	if err := json.Unmarshal(data, &li); err != nil || li.UserID == "" {
		a.log.Warn("onebot: bad get_login_info reply", "conn", cn.Name, "err", err)
		return
	}
	a.attach(ctx, cn, string(li.UserID), c)
}

// handleFrame decodes one frame from connection cn. Replies go to link (when the socket carries
// actions); events go to sink. api, when not nil, is the action path of the events' account
// on this connection. Bad frames are logged and skipped.
func (a *Adapter) handleFrame(ctx context.Context, cn Conn, data []byte, link *wsLink, api caller, sink bot.Sink) {
	f, err := decodeFrame(data)
	if err != nil {
		a.log.Warn("onebot: skipped malformed frame", "conn", cn.Name, "bytes", len(data), "err", err)
		return
	}
	if !f.isEvent() {
		if link == nil || !link.resolve(f) {
			a.log.Warn("onebot: skipped frame that is neither event nor awaited reply", "conn", cn.Name, "bytes", len(data))
		}
		return
	}
	if api != nil && f.SelfID != "" && a.caller(string(f.SelfID)) == nil {
		a.attach(ctx, cn, string(f.SelfID), api)
	}
	ev, truncated, err := a.dec.event(f)
	switch {
	case errors.Is(err, errIgnored):
		a.log.Debug("onebot: consumed", "conn", cn.Name, "post_type", f.PostType,
			"type", f.MetaEventType+f.NoticeType, "sub_type", f.SubType)
		return
	case err != nil:
		a.log.Warn("onebot: skipped event", "conn", cn.Name, "post_type", f.PostType, "err", err)
		return
	}
	if truncated {
		a.log.Warn("onebot: message text cut", "conn", cn.Name, "chat", ev.ChatID, "msg", ev.MsgID, "max_bytes", a.cfg.MaxTextBytes)
	}
	if ev.ChatKind == bot.Group && a.roster.see(ev.Account, ev.ChatID) {
		if c := a.caller(ev.Account); c != nil {
			go func() {
				if err := a.syncGroup(ctx, ev.Account, ev.ChatID, "", c); err != nil && ctx.Err() == nil {
					a.log.Warn("onebot: roster sync failed", "conn", cn.Name, "account", ev.Account, "group", ev.ChatID, "err", err)
				}
			}()
		}
	}
	if err := sink.Deliver(ctx, ev); err != nil && ctx.Err() == nil {
		a.log.Error("onebot: sink refused event", "conn", cn.Name, "chat", ev.ChatID, "msg", ev.MsgID, "err", err)
	}
}

// Send delivers one message: send_group_msg or send_private_msg through the account named by
// m.Chat.Account, or, when empty, an account that has seen the chat (else any connected one).
// It returns the message_id, or "" when the implementation answered async.
func (a *Adapter) Send(ctx context.Context, m bot.Outgoing) (string, error) {
	if m.Chat.Platform != "" && m.Chat.Platform != bot.QQ {
		return "", fmt.Errorf("onebot: platform %q: %w", m.Chat.Platform, bot.ErrNoRoute)
	}
	target, err := strconv.ParseInt(m.Chat.ID, 10, 64)
	if err != nil || target <= 0 {
		return "", fmt.Errorf("onebot: chat id %q: %w", m.Chat.ID, bot.ErrNoRoute)
	}
	var action string
	params := map[string]any{"message": outgoingSegments(m)}
	switch m.Chat.Kind {
	case bot.Group:
		action, params["group_id"] = "send_group_msg", target
	case bot.Private:
		action, params["user_id"] = "send_private_msg", target
	default:
		return "", fmt.Errorf("onebot: chat kind %q: %w", m.Chat.Kind, bot.ErrNoRoute)
	}
	acc, lim, err := a.route(m.Chat)
	if err != nil {
		return "", err
	}
	if err := lim.wait(ctx); err != nil {
		return "", fmt.Errorf("onebot: throttle: %w", err)
	}
	data, err := acc.api.call(ctx, action, params)
	if err != nil {
		return "", fmt.Errorf("onebot %s: %w", acc.self, err)
	}
	var r struct {
		MessageID id `json:"message_id"`
	}
	if len(data) > 0 && string(data) != "null" {
		if err := json.Unmarshal(data, &r); err != nil {
			a.log.Warn("onebot: reply without message_id", "action", action, "err", err)
		}
	}
	return string(r.MessageID), nil
}

// route picks the account that sends to chat.
func (a *Adapter) route(chat bot.Chat) (*account, *limiter, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if chat.Account != "" {
		acc := a.accounts[chat.Account]
		if acc == nil {
			return nil, nil, fmt.Errorf("onebot: QQ account %s not connected", chat.Account)
		}
		return acc, a.limiters[acc.self], nil
	}
	if len(a.accounts) == 0 {
		return nil, nil, errors.New("onebot: no QQ account connected")
	}
	selves := slices.Sorted(maps.Keys(a.accounts))
	pick := selves[0]
	if chat.Kind == bot.Group {
		for _, s := range selves {
			if a.roster.seenBy(s, chat.ID) {
				pick = s
				break
			}
		}
	}
	acc := a.accounts[pick]
	return acc, a.limiters[pick], nil
}

// outgoingSegments builds the message array: reply, then @-mentions, then text.
func outgoingSegments(m bot.Outgoing) []map[string]any {
	segs := []map[string]any{}
	if m.ReplyTo != "" {
		segs = append(segs, map[string]any{"type": "reply", "data": map[string]string{"id": m.ReplyTo}})
	}
	for _, u := range m.Mention {
		segs = append(segs, map[string]any{"type": "at", "data": map[string]string{"qq": u.ID}})
	}
	text := m.Text
	if len(m.Mention) > 0 && text != "" {
		text = " " + text
	}
	if text != "" {
		segs = append(segs, map[string]any{"type": "text", "data": map[string]string{"text": text}})
	}
	return segs
}
