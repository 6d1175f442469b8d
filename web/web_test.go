package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
	"golang.org/x/crypto/bcrypt"

	"youthlink/bot"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

const evil = `<script>alert(1)</script>`

var testNow = time.Date(2026, 11, 23, 9, 0, 0, 0, period.Zone)

// fixture is a store with a city committee, two county committees under it and one cadre in
// each county; the 城区 cadre reaches two youths in one group, one of them named like a script.
type fixture struct {
	db               *storage.DB
	srv              *Server
	ts               *httptest.Server
	city, east, west int64 // committees
	wang, li, evilID int64 // cadres
	adminPW, eastPW  string
}

func newFixture(t *testing.T, cfg Config) *fixture {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "web.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return testNow }
	f := &fixture{db: db}
	must := func(id int64, err error) int64 {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	f.city = must(db.PutCommittee(ctx, "示范市团委", "", "city"))
	f.east = must(db.PutCommittee(ctx, "城区团委", "示范市团委", "county"))
	f.west = must(db.PutCommittee(ctx, "高新区团委", "示范市团委", "county"))
	f.wang = must(db.PutCadre(ctx, storage.Cadre{Name: "王小明", Kind: "full_time", Target: 100}, "城区团委"))
	f.li = must(db.PutCadre(ctx, storage.Cadre{Name: "李华", Kind: "seconded", Target: 100}, "高新区团委"))
	f.evilID = must(db.PutCadre(ctx, storage.Cadre{Name: evil, Kind: "part_time", Target: 10}, "城区团委"))
	must(db.BindIdentity(ctx, bot.QQ, bot.User{ID: "wang", Name: "王小明"}, f.wang))
	must(db.BindIdentity(ctx, bot.QQ, bot.User{ID: "li", Name: "李华"}, f.li))
	if _, _, err := db.RegisterGroup(ctx, must(groupID(ctx, db, "g1", "城区青年群", "wang")), f.wang); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.RegisterGroup(ctx, must(groupID(ctx, db, "g2", "高新区创业群", "li")), f.li); err != nil {
		t.Fatal(err)
	}
	at := testNow.AddDate(0, 0, -3)
	msgs := []bot.Incoming{
		in("g1", "城区青年群", "m1", "y1", "张三", "周末志愿服务在哪集合？", at, "", nil),
		in("g1", "城区青年群", "m2", "y2", evil, "我也想参加", at.Add(time.Minute), "", nil),
		in("g1", "城区青年群", "m3", "wang", "王小明", "@张三 @"+evil+" 周六八点社区门口", at.Add(2*time.Minute), "", []string{"y1", "y2"}),
		in("g1", "城区青年群", "m4", "wang", "王小明", "#青年说# 大家最近关心什么", at.Add(3*time.Minute), "", nil),
		in("g2", "高新区创业群", "m5", "y3", "周杰", "创业贷款怎么申请", at, "", nil),
		in("g2", "高新区创业群", "m6", "li", "李华", "我整理一下发群里", at.Add(time.Minute), "m5", nil),
	}
	msgs[3].Topics.Tags = []string{"青年说"}
	msgs[0].Topics.Topics = []string{"志愿服务"}
	msgs[4].Topics.Topics = []string{"创业就业"}
	if _, err := db.IngestBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	y1, err := db.Identity(ctx, bot.QQ, bot.User{ID: "y1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.LogActivity(ctx, storage.Activity{Cadre: f.wang, Kind: "offline", Title: "社区志愿服务", Day: at, Participants: []int64{y1}}); err != nil {
		t.Fatal(err)
	}

	var out bytes.Buffer
	if cfg.AdminUser == "" {
		cfg = DefaultConfig()
	}
	if err := EnsureAdmin(ctx, db, cfg, func(string) string { return "" }, &out); err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`密码 (\S+)`).FindStringSubmatch(out.String())
	if m == nil {
		t.Fatalf("no generated password in %q", out.String())
	}
	f.adminPW = m[1]
	if f.eastPW, err = AddAccount(ctx, db, "城区团委", "chengqu", false); err != nil {
		t.Fatal(err)
	}
	if f.srv, err = New(Options{Store: db, Policy: record.DefaultPolicy(), Config: cfg, Now: func() time.Time { return testNow }}); err != nil {
		t.Fatal(err)
	}
	f.ts = httptest.NewServer(f.srv)
	t.Cleanup(f.ts.Close)
	return f
}

func groupID(ctx context.Context, db *storage.DB, chat, name, sender string) (int64, error) {
	st, err := db.IngestBatch(ctx, []bot.Incoming{in(chat, name, chat+"-hello", sender, sender, "大家好", testNow.AddDate(0, 0, -6), "", nil)})
	if err != nil {
		return 0, err
	}
	return st[0].GroupID, nil
}

func in(chat, chatName, id, from, name, text string, at time.Time, replyTo string, mentions []string) bot.Incoming {
	ev := bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: chat, ChatName: chatName, MsgID: id,
		Sender: bot.User{ID: from, Name: name}, Kind: bot.Text, Text: text, Time: at, ReplyTo: replyTo}
	for _, m := range mentions {
		ev.Mentions = append(ev.Mentions, bot.User{ID: m})
	}
	return bot.Incoming{Event: ev}
}

// client is a browser-like HTTP client with cookies that does not follow redirects.
type client struct {
	t    *testing.T
	base string
	c    *http.Client
}

func (f *fixture) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: f.ts.URL, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

func (c *client) do(method, path string, form url.Values) (int, string, http.Header) {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func (c *client) get(path string) (int, string) {
	c.t.Helper()
	code, body, _ := c.do("GET", path, nil)
	return code, body
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// token reads the CSRF token of the form on a page.
func (c *client) token(path string) string {
	c.t.Helper()
	_, body := c.get(path)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no CSRF token on %s", path)
	}
	return m[1]
}

func (c *client) login(name, pw string) int {
	c.t.Helper()
	code, _, _ := c.do("POST", "/login", url.Values{"csrf": {c.token("/login")}, "name": {name}, "password": {pw}})
	return code
}

func TestMain(m *testing.M) {
	cost = bcrypt.MinCost // hashing at the default cost would make these tests slow
	os.Exit(m.Run())
}

func TestLoginRequired(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.client(t)
	for _, path := range []string{"/", "/cadres/1", "/export?format=xlsx", "/users", "/digests"} {
		code, _, h := c.do("GET", path, nil)
		if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/login?next=") {
			t.Errorf("GET %s without login: %d to %q, want 303 to /login", path, code, h.Get("Location"))
		}
	}
}

func TestLogin(t *testing.T) {
	tests := []struct {
		name   string
		secure bool
		user   string
		pw     func(*fixture) string
		code   int
	}{
		{"admin", false, "admin", func(f *fixture) string { return f.adminPW }, http.StatusSeeOther},
		{"secure cookie", true, "admin", func(f *fixture) string { return f.adminPW }, http.StatusSeeOther},
		{"county account", false, "chengqu", func(f *fixture) string { return f.eastPW }, http.StatusSeeOther},
		{"wrong password", false, "admin", func(f *fixture) string { return f.eastPW }, http.StatusUnauthorized},
		{"unknown account", false, "nobody", func(f *fixture) string { return f.adminPW }, http.StatusUnauthorized},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.SecureCookie = tt.secure
			f := newFixture(t, cfg)
			c := f.client(t)
			code, body, h := c.do("POST", "/login", url.Values{"csrf": {c.token("/login")}, "name": {tt.user}, "password": {tt.pw(f)}})
			if code != tt.code {
				t.Fatalf("login: %d, want %d\n%s", code, tt.code, body)
			}
			cookie := h.Get("Set-Cookie")
			if code != http.StatusSeeOther {
				if !strings.Contains(body, "用户名或密码不对") || strings.Contains(cookie, sessionCookie) {
					t.Fatalf("failed login: cookie %q, body without the reason", cookie)
				}
				return
			}
			for _, want := range []string{sessionCookie + "=", "HttpOnly", "SameSite=Lax"} {
				if !strings.Contains(cookie, want) {
					t.Errorf("session cookie %q lacks %s", cookie, want)
				}
			}
			if got := strings.Contains(cookie, "Secure"); got != tt.secure {
				t.Errorf("session cookie %q: Secure %v, want %v", cookie, got, tt.secure)
			}
			if code, _ := c.get("/"); code != http.StatusOK {
				t.Fatalf("overview after login: %d", code)
			}
			lc, _, _ := c.do("POST", "/logout", url.Values{"csrf": {c.token("/")}})
			if code, _ := c.get("/"); lc != http.StatusSeeOther || code != http.StatusSeeOther {
				t.Fatalf("after logout: logout %d, overview %d; want 303 and 303", lc, code)
			}
		})
	}
}

func TestCSRF(t *testing.T) {
	f := newFixture(t, Config{})
	anon := f.client(t)
	if code, _, _ := anon.do("POST", "/login", url.Values{"name": {"admin"}, "password": {f.adminPW}}); code != http.StatusForbidden {
		t.Fatalf("login without token: %d, want 403", code)
	}
	c := f.client(t)
	if code := c.login("admin", f.adminPW); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	good := c.token("/users")
	wrong := "x" + good[1:] // a token differing in its first character
	if good[0] == 'x' {
		wrong = "y" + good[1:]
	}
	tests := []struct {
		name  string
		token string
		code  int
	}{
		{"no token", "", http.StatusForbidden},
		{"wrong token", wrong, http.StatusForbidden},
		{"another visitor's token", anon.token("/login"), http.StatusForbidden},
		{"valid token", good, http.StatusOK},
	}
	for i, tt := range tests {
		form := url.Values{"committee": {fmt.Sprint(f.west)}, "name": {fmt.Sprintf("gaoxin%d", i)}}
		if tt.token != "" {
			form.Set("csrf", tt.token)
		}
		code, body, _ := c.do("POST", "/users", form)
		if code != tt.code {
			t.Errorf("%s: POST /users %d, want %d", tt.name, code, tt.code)
		}
		_, err := f.db.WebUserByName(context.Background(), form.Get("name"))
		if created := err == nil; created != (tt.code == http.StatusOK) {
			t.Errorf("%s: account created %v", tt.name, created)
		}
		if tt.code == http.StatusOK && !strings.Contains(body, `id="new-password"`) {
			t.Errorf("%s: the new password is not shown", tt.name)
		}
	}
	if code, _, _ := c.do("POST", "/logout", url.Values{}); code != http.StatusForbidden {
		t.Errorf("logout without token: %d, want 403", code)
	}
}

func TestLoginRateLimit(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.client(t)
	for i := 0; i < failsPerUser; i++ {
		if code := c.login("chengqu", "wrong"); code != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d, want 401", i+1, code)
		}
	}
	if code := c.login("chengqu", f.eastPW); code != http.StatusTooManyRequests {
		t.Fatalf("right password after %d failures: %d, want 429", failsPerUser, code)
	}
	if code := c.login("admin", f.adminPW); code != http.StatusSeeOther {
		t.Fatalf("another account from the same address: %d, want 303", code)
	}
	// Per address: failures spread over many account names still stop.
	guesser := f.client(t)
	for i := 0; i < failsPerIP; i++ {
		guesser.login(fmt.Sprintf("guess%d", i), "wrong")
	}
	c2 := f.client(t)
	if code := c2.login("admin", f.adminPW); code != http.StatusTooManyRequests {
		t.Fatalf("after %d failures from one address: %d, want 429", failsPerIP, code)
	}
}

func TestLimiterWindow(t *testing.T) {
	l := newLimiter(2, time.Minute)
	t0 := testNow
	l.fail("k", t0)
	l.fail("k", t0.Add(10*time.Second))
	tests := []struct {
		at      time.Duration
		blocked bool
	}{{20 * time.Second, true}, {65 * time.Second, false}, {75 * time.Second, false}}
	for _, tt := range tests {
		if got := l.blocked("k", t0.Add(tt.at)); got != tt.blocked {
			t.Errorf("blocked at +%s = %v, want %v", tt.at, got, tt.blocked)
		}
	}
}

func TestIsolation(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.client(t)
	if code := c.login("chengqu", f.eastPW); code != http.StatusSeeOther {
		t.Fatalf("login: %d", code)
	}
	tests := []struct {
		path string
		code int
		has  string
		not  string
	}{
		{fmt.Sprintf("/cadres/%d", f.wang), 200, "王小明 的联系台账", ""},
		{fmt.Sprintf("/cadres/%d", f.li), 404, "", "李华"},
		{fmt.Sprintf("/cadres/%d/evidence?what=reached", f.li), 404, "", "周杰"},
		{fmt.Sprintf("/cadres/%d/record.xlsx", f.li), 404, "", ""},
		{"/cadres/99999", 404, "", ""},
		{fmt.Sprintf("/?c=%d", f.west), 404, "", "李华"},
		{fmt.Sprintf("/?c=%d", f.city), 404, "", ""},
		{"/", 200, "王小明", "李华"},
		{"/groups", 200, "城区青年群", "高新区创业群"},
		{"/questions", 200, "没有待答复", ""},
		{"/lists", 200, "王小明", "李华"},
		{"/users", 403, "只有管理员", ""},
	}
	for _, tt := range tests {
		code, body := c.get(tt.path)
		if code != tt.code || tt.has != "" && !strings.Contains(body, tt.has) || tt.not != "" && strings.Contains(body, tt.not) {
			t.Errorf("GET %s: %d, want %d with %q and without %q", tt.path, code, tt.code, tt.has, tt.not)
		}
	}
	code, body, _ := c.do("GET", "/export?format=csv", nil)
	if code != 200 || !strings.Contains(body, "王小明") || strings.Contains(body, "李华") {
		t.Errorf("county export: %d\n%s", code, body)
	}

	admin := f.client(t)
	admin.login("admin", f.adminPW)
	for _, path := range []string{fmt.Sprintf("/cadres/%d", f.li), fmt.Sprintf("/?c=%d", f.west), "/users"} {
		if code, _ := admin.get(path); code != 200 {
			t.Errorf("admin GET %s: %d, want 200", path, code)
		}
	}
	// An account may only be made for a committee in the admin's own subtree; a county
	// account may not make accounts at all.
	code, _, _ = c.do("POST", "/users", url.Values{"csrf": {c.token("/")}, "committee": {fmt.Sprint(f.east)}, "name": {"sneaky"}})
	if code != http.StatusForbidden {
		t.Errorf("county account creating an account: %d, want 403", code)
	}
}

func TestEscaping(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.client(t)
	c.login("admin", f.adminPW)
	for _, path := range []string{"/", "/lists", fmt.Sprintf("/cadres/%d", f.evilID), fmt.Sprintf("/cadres/%d/evidence?what=reached", f.wang),
		fmt.Sprintf("/cadres/%d/evidence?what=kind:mention", f.wang)} {
		code, body := c.get(path)
		if code != 200 {
			t.Errorf("GET %s: %d", path, code)
			continue
		}
		if strings.Contains(body, evil) {
			t.Errorf("GET %s: the name appears unescaped", path)
		}
		if !strings.Contains(body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Errorf("GET %s: the escaped name is missing", path)
		}
	}
}

// TestSQLLookingNamesShownVerbatim: a youth named like an SQL injection is stored as written
// (found by that name), shown escaped on the dashboard (only the name carries it: the message
// mentioning them does not), and the messages and cadres tables still answer.
func TestSQLLookingNamesShownVerbatim(t *testing.T) {
	const sqlName = `'; DROP TABLE messages;--`
	f := newFixture(t, Config{})
	ctx := context.Background()
	msgs := []bot.Incoming{
		in("g1", "城区青年群", "sql1", "y9", sqlName, "1=1; DELETE FROM cadres", testNow.Add(-time.Hour), "", nil),
		in("g1", "城区青年群", "sql2", "wang", "王小明", "@某人 你好", testNow.Add(-time.Hour+time.Minute), "", []string{"y9"}),
	}
	if _, err := f.db.IngestBatch(ctx, msgs); err != nil {
		t.Fatal(err)
	}
	c := f.client(t)
	c.login("admin", f.adminPW)
	code, body := c.get(fmt.Sprintf("/cadres/%d/evidence?what=reached", f.wang))
	if code != 200 || !strings.Contains(body, "&#39;; DROP TABLE messages;--") {
		t.Fatalf("evidence page %d does not show the name escaped:\n%s", code, body)
	}
	if ids, err := f.db.IdentityByName(ctx, bot.QQ, sqlName); err != nil || len(ids) != 1 {
		t.Fatalf("the name as written finds %v (%v), want the one youth", ids, err)
	}
	if n, err := f.db.MessageCount(ctx); err != nil || n == 0 {
		t.Fatalf("messages after the hostile name: %d, %v", n, err)
	}
	if cs, err := f.db.Cadres(ctx); err != nil || len(cs) == 0 {
		t.Fatalf("cadres after the hostile text: %d, %v", len(cs), err)
	}
}

// TestPlanFollowsTarget: the coverage item on a cadre's page reads in youths against the
// cadre's own target, as in the chat: 联系一百名青年 for a target of 100, 联系十名青年 for 10.
func TestPlanFollowsTarget(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.client(t)
	c.login("admin", f.adminPW)
	for _, tc := range []struct {
		cadre     int64
		want, not string
	}{
		{f.wang, "<td>联系一百名青年</td>", "%"},
		{f.evilID, "<td>联系十名青年</td>", "联系一百名青年"},
	} {
		code, body := c.get(fmt.Sprintf("/cadres/%d", tc.cadre))
		i := strings.Index(body, tc.want)
		if code != 200 || i < 0 {
			t.Errorf("cadre %d: page %d lacks %q", tc.cadre, code, tc.want)
			continue
		}
		row := body[i:]
		row = row[:strings.Index(row, "</tr>")]
		if !strings.Contains(row, " 人</a>") || strings.Contains(row, tc.not) {
			t.Errorf("cadre %d: coverage row %q, want youths reached of those needed, without %q", tc.cadre, row, tc.not)
		}
	}
}

func TestEvidence(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.client(t)
	c.login("chengqu", f.eastPW)
	_, page := c.get(fmt.Sprintf("/cadres/%d", f.wang))
	for _, link := range []string{"what=reached", "what=kind:mention", "what=activity:offline", "what=tags", "what=kind:face_to_face"} {
		if !strings.Contains(page, link) {
			t.Errorf("record page has no link to %s", link)
		}
	}
	tests := []struct {
		what string
		has  []string
	}{
		{"reached", []string{"张三", "周六八点社区门口", "社区志愿服务"}},
		{"kind:mention", []string{"张三", "周六八点社区门口"}},
		{"activity:offline", []string{"社区志愿服务", "张三"}},
		{"tags", []string{"#青年说# 大家最近关心什么"}},
		{"kind:face_to_face", []string{"本季度没有记录"}},
	}
	for _, tt := range tests {
		code, body := c.get(fmt.Sprintf("/cadres/%d/evidence?what=%s", f.wang, tt.what))
		if code != 200 {
			t.Errorf("evidence %s: %d", tt.what, code)
			continue
		}
		for _, s := range tt.has {
			if !strings.Contains(body, s) {
				t.Errorf("evidence %s lacks %q", tt.what, s)
			}
		}
	}
	if code, _ := c.get(fmt.Sprintf("/cadres/%d/evidence?what=kind:bogus", f.wang)); code != 404 {
		t.Errorf("unknown evidence kind: %d, want 404", code)
	}
}

func TestOverviewCharts(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.client(t)
	c.login("admin", f.adminPW)
	_, body := c.get("/")
	for _, s := range []string{`id="weekly-chart"`, `id="coverage-chart"`, "<polyline", "2026-W47 直接联系青年 3 人", "2026-W47 互动 4 次",
		"志愿服务", "创业就业", "覆盖率 0–19%：3 名团干部", "覆盖率 20–39%：0 名团干部"} {
		if !strings.Contains(body, s) {
			t.Errorf("overview lacks %q", s)
		}
	}
}

func TestDownloads(t *testing.T) {
	f := newFixture(t, Config{})
	c := f.client(t)
	c.login("admin", f.adminPW)
	code, body, h := c.do("GET", "/export?format=xlsx", nil)
	if code != 200 || !strings.Contains(h.Get("Content-Disposition"), "attachment") {
		t.Fatalf("export: %d %v", code, h)
	}
	x, err := excelize.OpenReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if got := strings.Join(x.GetSheetList(), ","); got != "排名,城区团委,高新区团委" {
		t.Errorf("sheets %s", got)
	}
	if code, _ := c.get("/export?format=pdf"); code != 400 {
		t.Errorf("export as pdf: %d, want 400", code)
	}
	if code, _ := c.get("/roster-template.xlsx"); code != 404 {
		t.Errorf("roster template without a provider: %d, want 404", code)
	}
	f.srv.o.RosterTemplate = func(w io.Writer) error { _, err := io.WriteString(w, "TEMPLATE"); return err }
	if code, body := c.get("/roster-template.xlsx"); code != 200 || body != "TEMPLATE" {
		t.Errorf("roster template: %d %q", code, body)
	}
}

func TestDigestArchive(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"2026-W47-城区团委.md", "2026-W47-高新区团委.md", "2026-W47-示范市团委.html"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("周报 "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := DefaultConfig()
	cfg.DigestDir = dir
	f := newFixture(t, cfg)
	c := f.client(t)
	c.login("chengqu", f.eastPW)
	_, body := c.get("/digests")
	if !strings.Contains(body, "2026-W47-城区团委.md") || strings.Contains(body, "高新区") || strings.Contains(body, "2026-W47-示范市团委") {
		t.Errorf("county archive lists the wrong files:\n%s", body)
	}
	if code, body := c.get("/digests/" + url.PathEscape("2026-W47-城区团委.md")); code != 200 || body != "周报 2026-W47-城区团委.md" {
		t.Errorf("own digest: %d %q", code, body)
	}
	for _, name := range []string{"2026-W47-高新区团委.md", "..%2Fweb.db", "missing.md"} {
		if code, _ := c.get("/digests/" + name); code != 404 {
			t.Errorf("digest %s: %d, want 404", name, code)
		}
	}
	admin := f.client(t)
	admin.login("admin", f.adminPW)
	if _, body := admin.get("/digests"); strings.Count(body, "2026-W47-") != 6 { // link text and href each
		t.Errorf("root archive should list all three files:\n%s", body)
	}
}

func TestEnsureAdmin(t *testing.T) {
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "a.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cfg := DefaultConfig()
	var out bytes.Buffer
	if err := EnsureAdmin(ctx, db, cfg, func(string) string { return "" }, &out); err == nil {
		t.Fatal("no committee: want an error")
	}
	db.PutCommittee(ctx, "示范市团委", "", "city")
	env := map[string]string{}
	getenv := func(k string) string { return env[k] }
	if err := EnsureAdmin(ctx, db, cfg, getenv, &out); err != nil || !strings.Contains(out.String(), "只显示这一次") {
		t.Fatalf("first start: %v %q", err, out.String())
	}
	out.Reset()
	if err := EnsureAdmin(ctx, db, cfg, getenv, &out); err != nil || out.Len() != 0 {
		t.Fatalf("second start printed %q (%v)", out.String(), err)
	}
	env[cfg.AdminPasswordEnv] = "a-long-secret"
	if err := EnsureAdmin(ctx, db, cfg, getenv, &out); err != nil {
		t.Fatal(err)
	}
	u, _ := db.WebUserByName(ctx, "admin")
	if !u.Admin || u.Hash == "a-long-secret" || !strings.HasPrefix(u.Hash, "$2") {
		t.Fatalf("admin %+v: want an admin with a bcrypt hash", u)
	}
	srv, _ := New(Options{Store: db, Config: cfg, Now: func() time.Time { return testNow }})
	ts := httptest.NewServer(srv)
	defer ts.Close()
	c := (&fixture{ts: ts}).client(t)
	if code := c.login("admin", "a-long-secret"); code != http.StatusSeeOther {
		t.Fatalf("login with the password from the environment: %d", code)
	}
}

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(*Config)
		ok   bool
	}{
		{"defaults", func(*Config) {}, true},
		{"bad addr", func(c *Config) { c.Addr = "8080" }, false},
		{"bad env name", func(c *Config) { c.AdminPasswordEnv = "MY PASSWORD" }, false},
		{"short session", func(c *Config) { c.SessionTTL = time.Second }, false},
		{"bad admin name", func(c *Config) { c.AdminUser = "a" }, false},
	}
	for _, tt := range tests {
		c := DefaultConfig()
		tt.edit(&c)
		if err := c.Validate(); (err == nil) != tt.ok {
			t.Errorf("%s: Validate() = %v", tt.name, err)
		}
	}
}

func TestChartScales(t *testing.T) {
	tests := []struct{ in, want int }{{0, 4}, {3, 4}, {5, 8}, {18, 20}, {47, 80}, {100, 100}, {101, 200}}
	for _, tt := range tests {
		if got := niceCeil(tt.in); got != tt.want {
			t.Errorf("niceCeil(%d) = %d, want %d", tt.in, got, tt.want)
		}
	}
	bands := []struct{ pct, band int }{{0, 0}, {19, 0}, {20, 1}, {59, 2}, {99, 4}, {100, 5}, {250, 5}}
	for _, tt := range bands {
		if got := coverageBand(tt.pct); got != tt.band {
			t.Errorf("coverageBand(%d) = %d, want %d", tt.pct, got, tt.band)
		}
	}
}
