package web

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"youthlink/storage"
)

const (
	sessionCookie = "yl_session"
	preCookie     = "yl_pre" // a visitor's CSRF token before logging in
	csrfField     = "csrf"
)

// session is one login, kept in memory.
type session struct {
	user    storage.WebUser
	csrf    string
	expires time.Time
}

// sessions maps cookie tokens to logins.
type sessions struct {
	mu sync.Mutex
	m  map[string]*session
}

func (s *sessions) add(u storage.WebUser, ttl time.Duration, now time.Time) (token string, sess *session) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for k, v := range s.m {
		if now.After(v.expires) {
			delete(s.m, k)
		}
	}
	token = randomToken()
	sess = &session{user: u, csrf: randomToken(), expires: now.Add(ttl)}
	s.m[token] = sess
	return token, sess
}

func (s *sessions) get(token string, now time.Time) *session {
	s.mu.Lock()
	defer s.mu.Unlock()
	sess := s.m[token]
	if sess == nil {
		return nil
	}
	if now.After(sess.expires) {
		delete(s.m, token)
		return nil
	}
	return sess
}

func (s *sessions) remove(token string) {
	s.mu.Lock()
	delete(s.m, token)
	s.mu.Unlock()
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported systems
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// NewPassword generates a random password (26 base32 characters, 130 bits).
func NewPassword() string { return rand.Text() }

// limiter counts failed attempts per key within a window.
type limiter struct {
	mu     sync.Mutex
	max    int
	window time.Duration
	fails  map[string][]time.Time
}

func newLimiter(max int, window time.Duration) *limiter {
	return &limiter{max: max, window: window, fails: map[string][]time.Time{}}
}

// blocked reports whether key has used up its attempts.
func (l *limiter) blocked(key string, now time.Time) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.recent(key, now)) >= l.max
}

func (l *limiter) fail(key string, now time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.fails) > 10000 {
		for k := range l.fails {
			l.recent(k, now)
		}
	}
	l.fails[key] = append(l.recent(key, now), now)
}

func (l *limiter) reset(key string) {
	l.mu.Lock()
	delete(l.fails, key)
	l.mu.Unlock()
}

func (l *limiter) recent(key string, now time.Time) []time.Time {
	ts := l.fails[key]
	i := 0
	for i < len(ts) && now.Sub(ts[i]) >= l.window {
		i++
	}
	ts = ts[i:]
	if len(ts) == 0 {
		delete(l.fails, key)
		return nil
	}
	l.fails[key] = ts
	return ts
}

// cost is the bcrypt cost; tests lower it.
var cost = bcrypt.DefaultCost

// Hash hashes a password with bcrypt.
func Hash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), cost)
	if err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	return string(h), nil
}

// dummyHash keeps a login for an unknown account as slow as one for a known account.
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("youthlink"), cost)
	return h
})

// Accounts is what account management needs from the store.
type Accounts interface {
	Committees(ctx context.Context) ([]storage.Committee, error)
	AddWebUser(ctx context.Context, u storage.WebUser) (int64, error)
	WebUserByName(ctx context.Context, name string) (storage.WebUser, error)
	WebUsers(ctx context.Context) ([]storage.WebUser, error)
	SetWebPassword(ctx context.Context, name, hash string) error
}

// AddAccount creates a dashboard account for a committee (by name) and returns its generated
// password, which is shown only this once.
func AddAccount(ctx context.Context, st Accounts, committee, name string, admin bool) (string, error) {
	if !validName(name) {
		return "", fmt.Errorf("账号名「%s」不合适：2–32 个字母、数字、汉字、点、横线或下划线", name)
	}
	cs, err := st.Committees(ctx)
	if err != nil {
		return "", err
	}
	var cid int64
	for _, c := range cs {
		if c.Name == committee {
			cid = c.ID
		}
	}
	if cid == 0 {
		return "", fmt.Errorf("团委「%s」不存在", committee)
	}
	pw := NewPassword()
	h, err := Hash(pw)
	if err != nil {
		return "", err
	}
	if _, err := st.AddWebUser(ctx, storage.WebUser{Name: name, Committee: cid, Hash: h, Admin: admin}); err != nil {
		if errors.Is(err, storage.ErrExists) {
			return "", fmt.Errorf("账号「%s」已经存在", name)
		}
		return "", err
	}
	return pw, nil
}

// EnsureAdmin creates the first account, for the root committee, when there is none. Its
// password comes from the environment variable the config names; without it a password is
// generated and written to out, once. When the variable is set, an existing admin's password
// follows it.
func EnsureAdmin(ctx context.Context, st Accounts, cfg Config, getenv func(string) string, out io.Writer) error {
	users, err := st.WebUsers(ctx)
	if err != nil {
		return err
	}
	pw := getenv(cfg.AdminPasswordEnv)
	if len(users) > 0 {
		if pw == "" {
			return nil
		}
		u, err := st.WebUserByName(ctx, cfg.AdminUser)
		if err != nil || bcrypt.CompareHashAndPassword([]byte(u.Hash), []byte(pw)) == nil {
			return nil
		}
		h, err := Hash(pw)
		if err != nil {
			return err
		}
		return st.SetWebPassword(ctx, cfg.AdminUser, h)
	}
	cs, err := st.Committees(ctx)
	if err != nil {
		return err
	}
	var root *storage.Committee
	for i := range cs {
		if cs[i].Parent == 0 {
			root = &cs[i]
			break
		}
	}
	if root == nil {
		return errors.New("还没有任何团委，无法创建管理后台账号（请先在配置文件的 committees 里写入团委）")
	}
	generated := pw == ""
	if generated {
		pw = NewPassword()
	} else if len(pw) < 8 {
		return fmt.Errorf("环境变量 %s 里的密码太短（至少 8 位）", cfg.AdminPasswordEnv)
	}
	h, err := Hash(pw)
	if err != nil {
		return err
	}
	if _, err := st.AddWebUser(ctx, storage.WebUser{Name: cfg.AdminUser, Committee: root.ID, Hash: h, Admin: true}); err != nil {
		return err
	}
	if generated {
		fmt.Fprintf(out, "管理后台首个账号（%s）：用户名 %s，密码 %s\n这个密码只显示这一次；也可以用环境变量 %s 指定。\n",
			root.Name, cfg.AdminUser, pw, cfg.AdminPasswordEnv)
	} else {
		fmt.Fprintf(out, "管理后台首个账号（%s）：用户名 %s，密码取自环境变量 %s\n", root.Name, cfg.AdminUser, cfg.AdminPasswordEnv)
	}
	return nil
}

// clientIP is the peer address of a request (no proxy headers are trusted).
func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func equal(a, b string) bool {
	return a != "" && subtle.ConstantTimeCompare([]byte(a), []byte(b)) == 1
}
