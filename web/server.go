package web

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/bcrypt"

	"youthlink/counting"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

// Store is what the dashboard reads.
type Store interface {
	Accounts
	Facts(ctx context.Context, span period.Span, ids ...int64) (map[int64]*storage.Facts, error)
	Cadres(ctx context.Context) ([]storage.Cadre, error)
	CadreByID(ctx context.Context, id int64) (storage.Cadre, error)
	Evidence(ctx context.Context, cadre int64, span period.Span, kind counting.Kind, limit int) ([]storage.Evidence, error)
	Activities(ctx context.Context, cadre int64, span period.Span) ([]storage.Activity, error)
	ActivityParticipants(ctx context.Context, activity int64) ([]string, error)
	Reached(ctx context.Context, cadre int64, span period.Span) ([]storage.Reach, error)
	CadrePosts(ctx context.Context, cadre int64, span period.Span, tagged bool, limit int) ([]storage.Post, error)
	Groups(ctx context.Context) ([]storage.Group, error)
	GroupStats(ctx context.Context, g storage.Group, from, to time.Time, topN int) (storage.GroupStats, error)
	TopTopics(ctx context.Context, groups []int64, fromWeek, toWeek string, n int) (topics, keywords []storage.Count, err error)
	OpenQuestions(ctx context.Context, cadre int64) ([]storage.Question, error)
	WeeklyContact(ctx context.Context, cadres []int64, from, to time.Time) ([]storage.WeekContact, error)
}

// Options configure a Server. Store is required.
type Options struct {
	Store  Store
	Policy record.Policy
	Config Config
	Now    func() time.Time
	Log    *slog.Logger
	// RosterTemplate writes the roster import template (.xlsx); nil answers 404.
	RosterTemplate func(w io.Writer) error
}

// Server is the dashboard's HTTP handler.
type Server struct {
	o        Options
	mux      *http.ServeMux
	pages    map[string]*template.Template
	sessions *sessions
	byIP     *limiter
	byUser   *limiter
}

//go:embed templates/*.html static/*
var assets embed.FS

// Login attempts: failures allowed per window, per IP address and per account.
const (
	failsPerIP   = 20
	failsPerUser = 5
	failWindow   = 15 * time.Minute
)

// New builds the dashboard.
func New(o Options) (*Server, error) {
	if o.Store == nil {
		return nil, errors.New("web: no store")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Config.SessionTTL == 0 {
		o.Config.SessionTTL = DefaultConfig().SessionTTL
	}
	s := &Server{o: o, mux: http.NewServeMux(), pages: map[string]*template.Template{},
		sessions: &sessions{m: map[string]*session{}},
		byIP:     newLimiter(failsPerIP, failWindow), byUser: newLimiter(failsPerUser, failWindow)}
	names, err := fs.Glob(assets, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" || base == "charts" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(assets, "templates/layout.html", "templates/charts.html", n)
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", base, err)
		}
		s.pages[base] = t
	}
	s.routes()
	return s, nil
}

func (s *Server) routes() {
	static, _ := fs.Sub(assets, "static")
	s.mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	s.mux.HandleFunc("GET /login", s.loginPage)
	s.mux.HandleFunc("POST /login", s.login)
	s.mux.HandleFunc("POST /logout", s.logout)
	s.mux.HandleFunc("GET /{$}", s.auth(s.overview))
	s.mux.HandleFunc("GET /lists", s.auth(s.lists))
	s.mux.HandleFunc("GET /cadres/{id}", s.auth(s.cadre))
	s.mux.HandleFunc("GET /cadres/{id}/evidence", s.auth(s.evidence))
	s.mux.HandleFunc("GET /cadres/{id}/record.xlsx", s.auth(s.cadreXLSX))
	s.mux.HandleFunc("GET /groups", s.auth(s.groups))
	s.mux.HandleFunc("GET /topics", s.auth(s.topics))
	s.mux.HandleFunc("GET /questions", s.auth(s.questions))
	s.mux.HandleFunc("GET /digests", s.auth(s.digests))
	s.mux.HandleFunc("GET /digests/{name}", s.auth(s.digestFile))
	s.mux.HandleFunc("GET /export", s.auth(s.export))
	s.mux.HandleFunc("GET /roster-template.xlsx", s.auth(s.rosterTemplate))
	s.mux.HandleFunc("GET /users", s.auth(s.users))
	s.mux.HandleFunc("POST /users", s.auth(s.addUser))
}

// ServeHTTP sets the security headers, refuses a POST without its CSRF token and routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	if r.Method == http.MethodPost {
		r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
		if !s.csrfOK(r) {
			s.fail(w, r, http.StatusForbidden, "请求已失效：表单缺少有效的安全令牌。请返回、刷新页面后再提交。")
			return
		}
	}
	s.mux.ServeHTTP(w, r)
}

// Serve listens on the configured address until ctx ends.
func (s *Server) Serve(ctx context.Context, addr string) error {
	srv := &http.Server{Addr: addr, Handler: s, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 30 * time.Second,
		WriteTimeout: 60 * time.Second, IdleTimeout: 2 * time.Minute}
	errs := make(chan error, 1)
	go func() { errs <- srv.ListenAndServe() }()
	s.o.Log.Info("管理后台已启动", "addr", "http://"+addr)
	select {
	case err := <-errs:
		return fmt.Errorf("web: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return srv.Shutdown(sctx)
}

// csrfOK checks the form's token against the session's, or the visitor cookie's before login.
func (s *Server) csrfOK(r *http.Request) bool {
	got := r.PostFormValue(csrfField)
	if sess := s.session(r); sess != nil {
		return equal(got, sess.csrf)
	}
	c, err := r.Cookie(preCookie)
	return err == nil && equal(got, c.Value)
}

func (s *Server) session(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil
	}
	return s.sessions.get(c.Value, s.o.Now())
}

func (s *Server) secure(r *http.Request) bool { return s.o.Config.SecureCookie || r.TLS != nil }

// viewer is the logged-in account with what it may see.
type viewer struct {
	user  storage.WebUser
	csrf  string
	sub   map[int64]bool // the account's committee subtree
	comms []storage.Committee
}

type authed func(w http.ResponseWriter, r *http.Request, v *viewer)

// auth sends visitors without a session to the login page.
func (s *Server) auth(h authed) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		sess := s.session(r)
		if sess == nil {
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		cs, err := s.o.Store.Committees(r.Context())
		if err != nil {
			s.internal(w, r, err)
			return
		}
		v := &viewer{user: sess.user, csrf: sess.csrf, comms: cs}
		v.sub = (&record.Book{Committees: cs}).Subtree(sess.user.Committee)
		h(w, r, v)
	}
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if s.session(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.renderLogin(w, r, http.StatusOK, "")
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, code int, msg string) {
	token := ""
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) >= 32 {
		token = c.Value
	} else {
		token = randomToken()
		http.SetCookie(w, &http.Cookie{Name: preCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
			Secure: s.secure(r)})
	}
	s.render(w, r, code, "login", page{Title: "登录", CSRF: token, Data: map[string]string{"Error": msg, "Next": safeNext(r.FormValue("next"))}})
}

// safeNext keeps a post-login redirect on this site.
func safeNext(s string) string {
	if !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.Contains(s, `\`) {
		return "/"
	}
	return s
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	now := s.o.Now()
	ip, name := clientIP(r), strings.TrimSpace(r.PostFormValue("name"))
	if s.byIP.blocked(ip, now) || s.byUser.blocked(name, now) {
		s.o.Log.Warn("登录尝试过多", "ip", ip, "user", name)
		s.renderLogin(w, r, http.StatusTooManyRequests, "登录失败次数过多，请 15 分钟后再试。")
		return
	}
	u, err := s.o.Store.WebUserByName(r.Context(), name)
	hash := dummyHash()
	if err == nil {
		hash = []byte(u.Hash)
	} else if !errors.Is(err, storage.ErrNotFound) {
		s.internal(w, r, err)
		return
	}
	if bcrypt.CompareHashAndPassword(hash, []byte(r.PostFormValue("password"))) != nil || err != nil {
		s.byIP.fail(ip, now)
		s.byUser.fail(name, now)
		s.renderLogin(w, r, http.StatusUnauthorized, "用户名或密码不对。")
		return
	}
	s.byUser.reset(name)
	token, _ := s.sessions.add(u, s.o.Config.SessionTTL, now)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secure(r), MaxAge: int(s.o.Config.SessionTTL.Seconds())})
	s.o.Log.Info("登录管理后台", "user", u.Name, "ip", ip)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.remove(c.Value)
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.secure(r), MaxAge: -1})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// page is what every template gets.
type page struct {
	Title     string
	Nav       string
	CSRF      string
	User      *storage.WebUser
	Committee storage.Committee   // the committee in view
	Choices   []storage.Committee // committees the account may switch to
	Quarter   string
	Query     string // c and q of the current view, for links
	Data      any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, code int, name string, p page) {
	t := s.pages[name]
	if t == nil {
		s.internal(w, r, fmt.Errorf("no template %s", name))
		return
	}
	var b strings.Builder
	if err := t.ExecuteTemplate(&b, "layout", p); err != nil {
		s.internal(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	io.WriteString(w, b.String())
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, code int, msg string) {
	s.render(w, r, code, "error", page{Title: http.StatusText(code), Data: map[string]any{"Code": code, "Message": msg}})
}

func (s *Server) internal(w http.ResponseWriter, r *http.Request, err error) {
	s.o.Log.Error("管理后台出错", "path", r.URL.Path, "err", err)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(http.StatusInternalServerError)
	io.WriteString(w, "内部错误，请稍后再试；详情见运行日志。\n")
}

func (s *Server) notFound(w http.ResponseWriter, r *http.Request) {
	s.fail(w, r, http.StatusNotFound, "没有找到这个页面，或者它不在你所属团委的范围内。")
}

// view reads the committee (c) and quarter (q) a page shows, within what the account may see.
type view struct {
	committee storage.Committee
	span      period.Span
	ok        bool
}

func (s *Server) view(w http.ResponseWriter, r *http.Request, v *viewer) view {
	out := view{span: period.QuarterOf(s.o.Now())}
	if q := r.FormValue("q"); q != "" {
		sp, err := period.ParseQuarter(q)
		if err != nil {
			s.fail(w, r, http.StatusBadRequest, err.Error())
			return out
		}
		out.span = sp
	}
	id := v.user.Committee
	if c := r.FormValue("c"); c != "" {
		n, err := strconv.ParseInt(c, 10, 64)
		if err != nil || !v.sub[n] {
			s.notFound(w, r)
			return out
		}
		id = n
	}
	for _, c := range v.comms {
		if c.ID == id {
			out.committee = c
		}
	}
	out.ok = out.committee.ID != 0
	if !out.ok {
		s.notFound(w, r)
	}
	return out
}

// page fills the common part of a page.
func (v *viewer) page(title, nav string, vw view) page {
	p := page{Title: title, Nav: nav, CSRF: v.csrf, User: &v.user, Committee: vw.committee, Quarter: vw.span.Name}
	for _, c := range v.comms {
		if v.sub[c.ID] {
			p.Choices = append(p.Choices, c)
		}
	}
	q := url.Values{}
	if vw.committee.ID != v.user.Committee && vw.committee.ID != 0 {
		q.Set("c", strconv.FormatInt(vw.committee.ID, 10))
	}
	if vw.span.Name != "" {
		q.Set("q", vw.span.Name)
	}
	p.Query = q.Encode()
	return p
}

// book compiles the records of the view's quarter.
func (s *Server) book(ctx context.Context, vw view) (*record.Book, error) {
	return record.Compile(ctx, s.o.Store, s.o.Policy, vw.span, s.o.Now())
}
