package wechat

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/eatmoreapple/openwechat"

	"youthlink/bot"
)

// Options are the adapter's collaborators; every field is optional.
type Options struct {
	Logger    *slog.Logger
	Directory Directory                              // default: a FileDirectory in Config.DataDir
	OnQR      func(ctx context.Context, url string)  // gets each QR link (default: post to Config.QRWebhook if set)
	Alert     func(ctx context.Context, text string) // tells the operator the account needs attention
	QROut     io.Writer                              // where the QR code is drawn (default os.Stdout)
	Transport http.RoundTripper                      // HTTP transport for WeChat (tests point it at a fake)
	Now       func() time.Time
	Sleep     func(ctx context.Context, d time.Duration) error // waits between login attempts
}

// Adapter is the WeChat bot.Adapter.
type Adapter struct {
	cfg   Config
	opt   Options
	log   *slog.Logger
	dir   Directory
	guard *replayGuard

	mu      sync.Mutex
	sess    *session
	partial map[int64]int // outbox id → parts already sent, so a retry does not repeat them
}

var _ bot.Adapter = (*Adapter)(nil)

// New returns an adapter for cfg. It makes the data dir (0700) and opens the identity directory.
func New(cfg Config, opt Options) (*Adapter, error) {
	cfg = cfg.withDefaults()
	check := cfg
	check.Enabled = true
	if err := check.Validate(); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("make wechat data dir: %w", err)
	}
	if opt.Logger == nil {
		opt.Logger = slog.Default()
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}
	if opt.Sleep == nil {
		opt.Sleep = sleep
	}
	if opt.QROut == nil {
		opt.QROut = os.Stdout
	}
	if opt.Directory == nil {
		d, err := OpenFileDirectory(filepath.Join(cfg.DataDir, "wechat-directory.json"))
		if err != nil {
			return nil, err
		}
		opt.Directory = d
	}
	return &Adapter{
		cfg: cfg, opt: opt, dir: opt.Directory,
		log:     opt.Logger.With("platform", "wechat"),
		guard:   newReplayGuard(20000),
		partial: map[int64]int{},
	}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// Platform implements bot.Adapter.
func (a *Adapter) Platform() bot.Platform { return bot.WeChat }

// Run logs in and delivers events until ctx ends. A lost session (logged out, cookie invalid) is
// followed by hot login, push login, then a new QR code, waiting Config.Reconnect between tries;
// the operator is alerted each time.
func (a *Adapter) Run(ctx context.Context, sink bot.Sink) error {
	a.guard.start(a.opt.Now(), a.cfg.ReplayGrace)
	var wait time.Duration
	for {
		s, err := a.login(ctx, sink)
		if ctx.Err() != nil {
			return nil
		}
		if err != nil {
			wait = a.cfg.Reconnect.Next(wait)
			a.alert(ctx, fmt.Sprintf("微信登录失败（%v），%s 后重试。", err, wait))
			if a.opt.Sleep(ctx, wait) != nil {
				return nil
			}
			continue
		}
		began := a.opt.Now()
		reason := s.wait(ctx)
		a.end(s)
		if ctx.Err() != nil {
			return nil
		}
		if a.opt.Now().Sub(began) > a.cfg.Reconnect.Max {
			wait = 0 // a long session: start the backoff over
		}
		wait = a.cfg.Reconnect.Next(wait)
		a.alert(ctx, fmt.Sprintf("微信账号「%s」掉线了（%v），%s 后尝试重新登录；如需扫码，二维码会再次发出。", s.account, reason, wait))
		if a.opt.Sleep(ctx, wait) != nil {
			return nil
		}
	}
}

func (a *Adapter) alert(ctx context.Context, text string) {
	a.log.Warn("operator alert", "text", text)
	if a.opt.Alert != nil {
		a.opt.Alert(ctx, text)
	}
}

// session is one login: its openwechat bot and what the adapter learnt during it.
type session struct {
	bot    *openwechat.Bot
	cancel context.CancelFunc

	account  string // the bot's nickname
	selfName string // the bot's UserName in this session

	mu     sync.Mutex
	routes map[string]string    // ChatID → UserName in this session
	groups map[string]groupSeen // group UserName → key and last name seen

	deliver sync.Mutex // held while a message is translated and delivered
	closed  bool       // under deliver: no more events once the session ended
}

type groupSeen struct{ key, name string }

// wait blocks until the session ends and says why.
func (s *session) wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-s.bot.Context().Done():
		if err := s.bot.CrashReason(); err != nil {
			return err
		}
		return errors.New("session ended")
	}
}

func (s *session) route(id string) (string, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.routes[id]
	return u, ok
}

func (s *session) setRoute(id, userName string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.routes[id] = userName
}

// end retires s: Send stops using it and its handler delivers nothing more.
func (a *Adapter) end(s *session) {
	a.mu.Lock()
	if a.sess == s {
		a.sess = nil
	}
	a.mu.Unlock()
	s.cancel()
	s.deliver.Lock()
	s.closed = true
	s.deliver.Unlock()
}

func (a *Adapter) current() *session {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.sess
}

// newSession prepares an openwechat bot in desktop mode with the adapter's callbacks.
func (a *Adapter) newSession(ctx context.Context, sink bot.Sink) *session {
	bctx, cancel := context.WithCancel(ctx)
	b := openwechat.NewBot(bctx)
	openwechat.Desktop.Prepare(b)
	if a.opt.Transport != nil {
		b.Caller.Client.HTTPClient().Transport = a.opt.Transport
	}
	s := &session{bot: b, cancel: cancel, routes: map[string]string{}, groups: map[string]groupSeen{}}
	b.UUIDCallback = func(uuid string) { a.showQR(ctx, openwechat.GetQrcodeUrl(uuid)) }
	b.ScanCallBack = func(openwechat.CheckLoginResponse) { a.log.Info("二维码已扫描，请在手机上确认登录") }
	fails := 0
	b.SyncCheckCallback = func(openwechat.SyncCheckResponse) { fails = 0 }
	b.MessageErrorHandler = func(err error) error {
		var ret openwechat.Ret
		if errors.As(err, &ret) {
			return err // logged out, cookie invalid, or anything else the server refuses
		}
		if fails++; fails > 5 || bctx.Err() != nil {
			return err
		}
		a.log.Warn("sync failed, retrying", "err", err, "fails", fails)
		_ = a.opt.Sleep(bctx, a.cfg.Reconnect.Min)
		return nil
	}
	b.MessageHandler = func(m *openwechat.Message) { a.handle(ctx, s, sink, m) }
	return s
}

// login tries hot login, push login, then a QR code.
func (a *Adapter) login(ctx context.Context, sink bot.Sink) (*session, error) {
	path := a.cfg.hotLoginPath()
	if fileExists(path) {
		s := a.newSession(ctx, sink)
		err := s.bot.HotLogin(&sessionFile{path: path})
		if err == nil {
			a.log.Info("hot login ok")
			return a.begin(ctx, s), nil
		}
		s.cancel()
		a.log.Info("hot login failed, trying push login", "err", err)
		s = a.newSession(ctx, sink)
		if err = s.bot.PushLogin(&sessionFile{path: path}); err == nil {
			a.log.Info("push login ok")
			return a.begin(ctx, s), nil
		}
		s.cancel()
		a.log.Info("push login failed, showing a QR code", "err", err)
	}
	s := a.newSession(ctx, sink)
	// A fresh storage reads as empty: the retry option then runs the QR login, whose session is saved.
	if err := s.bot.HotLogin(&sessionFile{path: path, fresh: true}, openwechat.NewRetryLoginOption()); err != nil {
		s.cancel()
		return nil, fmt.Errorf("qr login: %w", err)
	}
	a.log.Info("qr login ok")
	return a.begin(ctx, s), nil
}

// begin makes s the current session and learns the routes to its groups and friends.
func (a *Adapter) begin(ctx context.Context, s *session) *session {
	resp := s.bot.Storage.Response // written before the polling goroutine started; only SyncKey changes later
	if resp != nil && resp.User != nil {
		s.account, s.selfName = resp.User.NickName, resp.User.UserName
	}
	a.mu.Lock()
	a.sess = s
	a.mu.Unlock()
	if resp != nil {
		a.learn(ctx, s, resp.ContactList)
	}
	a.refresh(ctx, s)
	return s
}

// refresh reads the contact list again and learns its routes.
func (a *Adapter) refresh(ctx context.Context, s *session) {
	members, err := s.bot.Caller.WebWxGetContact(ctx, s.bot.Storage.LoginInfo)
	if err != nil {
		a.log.Warn("read contacts", "err", err)
		return
	}
	a.learn(ctx, s, members)
}

// learn maps groups (by name) and friends (by identity) to their UserNames in this session.
func (a *Adapter) learn(ctx context.Context, s *session, members openwechat.Members) {
	for _, u := range members {
		switch {
		case strings.HasPrefix(u.UserName, "@@"):
			if _, err := a.groupKey(ctx, s, u); err != nil {
				a.log.Warn("group key", "err", err)
			}
		case strings.HasPrefix(u.UserName, "@") && u.VerifyFlag == 0 && u.UserName != s.selfName:
			id, err := a.dir.Member(ctx, "", Seen{Nick: u.NickName, Avatar: u.AvatarID()})
			if err != nil {
				a.log.Warn("friend id", "err", err)
				continue
			}
			s.setRoute(id, u.UserName)
		}
	}
}

// groupName is the name a group is keyed by; unnamed groups take their first members' names.
func groupName(g *openwechat.User) string {
	if g.NickName != "" {
		return g.NickName
	}
	var names []string
	for _, m := range g.MemberList {
		names = append(names, m.NickName)
	}
	sort.Strings(names)
	if len(names) > 3 {
		names = names[:3]
	}
	return "未命名群聊:" + strings.Join(names, "、")
}

// groupKey returns the stable key of the group g, following a rename seen in this session.
func (a *Adapter) groupKey(ctx context.Context, s *session, g *openwechat.User) (string, error) {
	name := groupName(g)
	s.mu.Lock()
	seen, ok := s.groups[g.UserName]
	s.mu.Unlock()
	if ok {
		if seen.name != name && g.NickName != "" {
			if err := a.dir.RenameGroup(ctx, seen.key, name); err != nil {
				return "", err
			}
			s.mu.Lock()
			s.groups[g.UserName] = groupSeen{seen.key, name}
			s.mu.Unlock()
		}
		return seen.key, nil
	}
	key, err := a.dir.Group(ctx, name)
	if err != nil {
		return "", err
	}
	s.mu.Lock()
	s.groups[g.UserName] = groupSeen{key, name}
	s.routes[key] = g.UserName
	s.mu.Unlock()
	return key, nil
}

func (a *Adapter) showQR(ctx context.Context, url string) {
	a.log.Info("请用机器人微信号扫描二维码登录", "url", url)
	if err := drawQR(a.opt.QROut, url); err != nil {
		a.log.Warn("draw qr", "err", err)
	}
	switch {
	case a.opt.OnQR != nil:
		a.opt.OnQR(ctx, url)
	case a.cfg.QRWebhook != "":
		client := &http.Client{Transport: a.opt.Transport}
		if err := postWebhook(ctx, client, a.cfg.QRWebhook, "YouthLink 微信登录二维码（请用机器人微信号扫码）："+url); err != nil {
			a.log.Warn("post qr", "err", err)
		}
	}
}

// handle runs on openwechat's polling goroutine: drop replays, translate, deliver. Nothing slow.
func (a *Adapter) handle(ctx context.Context, s *session, sink bot.Sink, m *openwechat.Message) {
	s.deliver.Lock()
	defer s.deliver.Unlock()
	if s.closed {
		return
	}
	if !a.guard.fresh(m.NewMsgId, m.CreateTime) {
		a.log.Debug("dropped replayed message", "newmsgid", m.NewMsgId, "created", m.CreateTime)
		return
	}
	evs, err := a.translate(ctx, s, m)
	if err != nil {
		a.log.Warn("translate message", "newmsgid", m.NewMsgId, "type", int(m.MsgType), "err", err)
		return
	}
	for _, ev := range evs {
		if err := sink.Deliver(ctx, ev); err != nil {
			a.log.Warn("deliver", "msgid", ev.MsgID, "err", err)
		}
	}
}

// findByName returns the only member shown as name (group card or nickname), or nil.
func findByName(list openwechat.Members, name string) *openwechat.User {
	var found *openwechat.User
	for _, u := range list {
		if u.DisplayName == name || (u.DisplayName == "" && u.NickName == name) || u.NickName == name {
			if found != nil && found.UserName != u.UserName {
				return nil
			}
			found = u
		}
	}
	return found
}

func findByUserName(list openwechat.Members, userName string) *openwechat.User {
	for _, u := range list {
		if u.UserName == userName {
			return u
		}
	}
	return nil
}

// member turns a group member into a bot.User with a stable id.
func (a *Adapter) member(ctx context.Context, groupKey string, u *openwechat.User) (bot.User, error) {
	id, err := a.dir.Member(ctx, groupKey, Seen{Nick: u.NickName, Card: u.DisplayName, Avatar: u.AvatarID()})
	if err != nil {
		return bot.User{}, err
	}
	return bot.User{ID: id, Name: u.NickName, Card: u.DisplayName}, nil
}

// translate turns one WeChat message into events (several for a notice naming several members).
func (a *Adapter) translate(ctx context.Context, s *session, m *openwechat.Message) ([]bot.Event, error) {
	self := m.Owner()
	ev := bot.Event{
		Platform: bot.WeChat,
		Account:  self.NickName,
		MsgID:    strconv.FormatInt(m.NewMsgId, 10),
		Self:     m.IsSendBySelf(),
		Time:     time.Unix(m.CreateTime, 0),
	}
	if m.IsComeFromGroup() {
		return a.translateGroup(ctx, s, m, ev)
	}
	peer, err := m.Sender()
	if ev.Self {
		peer, err = m.Receiver()
	}
	if err != nil {
		return nil, fmt.Errorf("peer: %w", err)
	}
	if peer.VerifyFlag != 0 || peer.UserName == openwechat.FileHelper || peer.UserName == self.UserName {
		return nil, nil // official accounts, file helper, notes to self
	}
	p := parse(content{MsgType: int(m.MsgType), AppMsgType: int(m.AppMsgType), Text: m.Content})
	if p.Drop {
		return nil, nil
	}
	pid, err := a.dir.Member(ctx, "", Seen{Nick: peer.NickName, Avatar: peer.AvatarID()})
	if err != nil {
		return nil, err
	}
	s.setRoute(pid, peer.UserName)
	ev.ChatKind, ev.ChatID, ev.ChatName = bot.Private, pid, peer.NickName
	ev.Sender = bot.User{ID: pid, Name: peer.NickName}
	if ev.Self {
		sid, err := a.dir.Member(ctx, "", Seen{Nick: self.NickName, Avatar: self.AvatarID()})
		if err != nil {
			return nil, err
		}
		ev.Sender = bot.User{ID: sid, Name: self.NickName}
	}
	fill(&ev, p)
	return []bot.Event{ev}, nil
}

func fill(ev *bot.Event, p parsed) {
	ev.Kind, ev.Notice, ev.Text, ev.AtBot, ev.AtAll, ev.ReplyTo, ev.Target = p.Kind, p.Notice, p.Text, p.AtBot, p.AtAll, p.ReplyTo, p.Target
}

func (a *Adapter) translateGroup(ctx context.Context, s *session, m *openwechat.Message, ev bot.Event) ([]bot.Event, error) {
	self := m.Owner()
	g, err := m.Sender()
	if ev.Self {
		g, err = m.Receiver()
	}
	if err != nil {
		return nil, fmt.Errorf("group: %w", err)
	}
	if len(g.MemberList) == 0 {
		_ = g.Detail()
	}
	key, err := a.groupKey(ctx, s, g)
	if err != nil {
		return nil, err
	}
	ev.ChatKind, ev.ChatID, ev.ChatName = bot.Group, key, groupName(g)
	botNames := []string{self.NickName}
	if me := findByUserName(g.MemberList, self.UserName); me != nil && me.DisplayName != "" {
		botNames = append([]string{me.DisplayName}, botNames...)
	}
	p := parse(content{MsgType: int(m.MsgType), AppMsgType: int(m.AppMsgType), Text: m.Content, BotNames: botNames})
	if p.Drop {
		return nil, nil
	}
	fill(&ev, p)
	if m.IsSystem() {
		return a.notice(ctx, g, key, p, ev)
	}
	var from *openwechat.User
	if ev.Self {
		from = findByUserName(g.MemberList, self.UserName)
		if from == nil {
			from = self.User
		}
	} else if from, err = m.SenderInGroup(); err != nil {
		return nil, fmt.Errorf("sender: %w", err)
	}
	if ev.Sender, err = a.member(ctx, key, from); err != nil {
		return nil, err
	}
	for _, name := range p.Mentions {
		u := findByName(g.MemberList, name)
		if u == nil {
			continue // not a member we can tell apart: leave it as text only
		}
		mu, err := a.member(ctx, key, u)
		if err != nil {
			return nil, err
		}
		ev.Mentions = append(ev.Mentions, mu)
	}
	return []bot.Event{ev}, nil
}

// notice resolves the members a system notice names. A join notice naming several members
// becomes one event each; the second and later get MsgID "<NewMsgId>#<n>".
func (a *Adapter) notice(ctx context.Context, g *openwechat.User, key string, p parsed, ev bot.Event) ([]bot.Event, error) {
	lookup := func(name string) (bot.User, error) {
		u := findByName(g.MemberList, name)
		if u == nil {
			if err := g.Detail(); err == nil { // a new member may be missing from the cached list
				u = findByName(g.MemberList, name)
			}
		}
		if u == nil {
			id, err := a.dir.Member(ctx, key, Seen{Nick: name})
			return bot.User{ID: id, Name: name}, err
		}
		return a.member(ctx, key, u)
	}
	switch p.Notice {
	case bot.NoticeRename:
		if err := a.dir.RenameGroup(ctx, key, p.NewName); err != nil {
			return nil, err
		}
		ev.ChatName = p.NewName
		if len(p.Names) > 0 && p.Names[0] != "" {
			u, err := lookup(p.Names[0])
			if err != nil {
				return nil, err
			}
			ev.Sender = u
		}
		return []bot.Event{ev}, nil
	case bot.NoticeJoin, bot.NoticeLeave:
		var out []bot.Event
		for i, name := range p.Names {
			u, err := lookup(name)
			if err != nil {
				return nil, err
			}
			e := ev
			e.Sender = u
			if i > 0 {
				e.MsgID = ev.MsgID + "#" + strconv.Itoa(i+1)
			}
			out = append(out, e)
		}
		return out, nil
	}
	return []bot.Event{ev}, nil
}

// Send implements bot.Adapter: one text to a group (by key) or a friend (by id), split into
// Config.SplitRunes pieces. WeChat Ret 1205 gives bot.ErrRateLimited; an unknown chat gives
// bot.ErrNoRoute. A retried message resumes after the pieces already sent. The web protocol can
// neither quote (ReplyTo is ignored) nor make real @-links (Mention is written as "@name ").
func (a *Adapter) Send(ctx context.Context, m bot.Outgoing) (string, error) {
	if m.Chat.Platform != "" && m.Chat.Platform != bot.WeChat {
		return "", fmt.Errorf("wechat send: platform %q: %w", m.Chat.Platform, bot.ErrNoRoute)
	}
	s := a.current()
	if s == nil {
		return "", errNotLoggedIn
	}
	if m.Chat.Account != "" && m.Chat.Account != s.account {
		return "", fmt.Errorf("wechat send: account %q: %w", m.Chat.Account, bot.ErrNoRoute)
	}
	to, ok := s.route(m.Chat.ID)
	if !ok {
		a.refresh(ctx, s)
		if to, ok = s.route(m.Chat.ID); !ok {
			return "", fmt.Errorf("wechat send to %s: %w", m.Chat.ID, bot.ErrNoRoute)
		}
	}
	text := m.Text
	if m.Chat.Kind != bot.Private {
		var b strings.Builder
		for _, u := range m.Mention {
			b.WriteString("@" + u.Display() + atSep)
		}
		text = b.String() + text
	}
	parts := split(text, a.cfg.SplitRunes)
	a.mu.Lock()
	start := a.partial[m.ID]
	a.mu.Unlock()
	var first string
	for i := start; i < len(parts); i++ {
		sent, err := s.bot.Caller.WebWxSendMsg(ctx, &openwechat.CallerWebWxSendMsgOptions{
			LoginInfo:   s.bot.Storage.LoginInfo,
			BaseRequest: s.bot.Storage.Request,
			Message:     openwechat.NewTextSendMessage(parts[i], s.selfName, to),
		})
		if err != nil {
			if m.ID != 0 && i > 0 {
				a.mu.Lock()
				a.partial[m.ID] = i
				a.mu.Unlock()
			}
			return "", sendError(err)
		}
		if first == "" {
			first = sent.MsgId
		}
	}
	a.mu.Lock()
	delete(a.partial, m.ID)
	a.mu.Unlock()
	return first, nil
}

func sendError(err error) error {
	var ret openwechat.Ret
	if errors.As(err, &ret) {
		switch ret {
		case 1205:
			return fmt.Errorf("wechat send: %w", bot.ErrRateLimited)
		case 1100, 1101, 1102:
			return fmt.Errorf("wechat send: session expired (ret %d): %w", int(ret), errNotLoggedIn)
		}
		return fmt.Errorf("wechat send: ret %d", int(ret))
	}
	return fmt.Errorf("wechat send: %w", err)
}
