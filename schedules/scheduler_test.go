package schedules

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"youthlink/bot"
	"youthlink/bot/bottest"
	"youthlink/notify"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

// fakeClock is the injectable clock every test drives.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

func at(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, period.Zone)
	if err != nil {
		panic(err)
	}
	return t
}

// world is a store with a committee tree and three cadres: 甲 has done the plan's one item
// (an offline activity), 乙 has not, 丙 has not and has no bound chat account.
type world struct {
	db     *storage.DB
	clock  *fakeClock
	out    *bottest.Outbox
	policy record.Policy
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	clock := &fakeClock{t: at("2026-10-01 00:00")}
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = clock.Now
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	_, err = db.PutCommittee(ctx, "市团委", "", "city")
	must(err)
	_, err = db.PutCommittee(ctx, "区团委", "市团委", "county")
	must(err)
	ids := map[string]int64{}
	for _, n := range []string{"甲", "乙", "丙"} {
		id, err := db.PutCadre(ctx, storage.Cadre{Name: n, Kind: "full_time", Target: 100}, "区团委")
		must(err)
		ids[n] = id
	}
	_, err = db.BindIdentity(ctx, bot.WeChat, bot.User{ID: "wx-甲", Name: "甲"}, ids["甲"])
	must(err)
	_, err = db.BindIdentity(ctx, bot.QQ, bot.User{ID: "qq-乙", Name: "乙"}, ids["乙"])
	must(err)
	y, err := db.Identity(ctx, bot.WeChat, bot.User{ID: "wx-青年", Name: "青年"})
	must(err)
	_, err = db.LogActivity(ctx, storage.Activity{Cadre: ids["甲"], Kind: "offline", Title: "志愿服务", Day: at("2026-10-10 10:00"), Participants: []int64{y}})
	must(err)
	p := record.DefaultPolicy()
	p.Default = []record.PlanItem{{Name: "开展一次线下活动", Counts: record.CountOffline, Min: 1}}
	return &world{db: db, clock: clock, out: &bottest.Outbox{}, policy: p}
}

func (w *world) scheduler(t *testing.T, cfg Config, env map[string]string, client *http.Client) *Scheduler {
	t.Helper()
	s, err := New(cfg, w.db, Options{Policy: w.policy, Outbox: w.out, Now: w.clock.Now, HTTPClient: client,
		Getenv: func(k string) string { return env[k] }, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (w *world) run(t *testing.T, s *Scheduler, when string) Report {
	t.Helper()
	w.clock.Set(at(when))
	r, err := s.RunDue(context.Background())
	if err != nil {
		t.Fatalf("RunDue at %s: %v", when, err)
	}
	return r
}

func (w *world) jobRun(t *testing.T, job, per, dest string) storage.JobRun {
	t.Helper()
	r, _, ok, err := w.db.JobRunAt(context.Background(), job, per, dest)
	if err != nil || !ok {
		t.Fatalf("job run %s %s %s: ok %v err %v", job, per, dest, ok, err)
	}
	return r
}

// remindersOnly turns off everything but the reminder before quarter end.
func remindersOnly() Config {
	c := DefaultConfig()
	c.Reminders.Plan, c.Reminders.Progress, c.Reminders.EndReport = false, false, false
	return c
}

func TestRemindersReachExactlyTheCadresBehind(t *testing.T) {
	w := newWorld(t)
	s := w.scheduler(t, remindersOnly(), nil, nil)
	// Q4 2026 ends 2027-01-01; 14 days before is 2026-12-18 09:00.
	if r := w.run(t, s, "2026-12-18 08:59"); r.Sent != 0 {
		t.Fatalf("sent before it was due: %+v", r)
	}
	r := w.run(t, s, "2026-12-18 09:00")
	msgs := w.out.Sent()
	if r.Sent != 1 || r.Skipped != 1 || len(msgs) != 1 {
		t.Fatalf("report %+v, messages %+v", r, msgs)
	}
	m := msgs[0]
	if m.Chat != (bot.Chat{Platform: bot.QQ, Kind: bot.Private, ID: "qq-乙"}) {
		t.Errorf("sent to %+v, want 乙's private QQ chat", m.Chat)
	}
	for _, want := range []string{"乙", "2026Q4", "还剩 13 天", "开展一次线下活动：完成 0/1"} {
		if !strings.Contains(m.Text, want) {
			t.Errorf("reminder lacks %q:\n%s", want, m.Text)
		}
	}
	if m.Key == "" {
		t.Error("reminder has no idempotency key")
	}
	if got := w.jobRun(t, "reminder:behind", "2026Q4", "cadre:丙"); got.Status != "skipped" || !strings.Contains(got.Err, "未绑定") {
		t.Errorf("丙 (unbound): %+v", got)
	}
	if got := w.jobRun(t, "reminder:behind", "2026Q4", "cadre:乙"); got.Status != "sent" || got.Attempts != 1 {
		t.Errorf("乙: %+v", got)
	}
	if r := w.run(t, s, "2026-12-18 09:05"); r != (Report{}) || len(w.out.Sent()) != 1 {
		t.Errorf("second pass did something: %+v", r)
	}
}

func TestPlanAndProgressGoToEveryBoundCadre(t *testing.T) {
	w := newWorld(t)
	c := DefaultConfig()
	c.Reminders.DaysBeforeEnd, c.Reminders.EndReport = 0, false
	s := w.scheduler(t, c, nil, nil)
	w.run(t, s, "2026-10-01 09:00")
	if n := len(w.out.Sent()); n != 2 {
		t.Fatalf("plan reminders: %d, want 2 (甲 and 乙)", n)
	}
	if !strings.Contains(w.out.Sent()[0].Text, "开展一次线下活动（线下活动次数至少 1）") {
		t.Errorf("plan text: %s", w.out.Sent()[0].Text)
	}
	w.run(t, s, "2026-11-16 09:00") // mid quarter
	msgs := w.out.Sent()
	if len(msgs) != 4 || !strings.Contains(msgs[2].Text+msgs[3].Text, "开展一次线下活动 1/1 ✓") {
		t.Fatalf("progress reminders: %+v", msgs)
	}
}

func TestQuietHoursHoldSends(t *testing.T) {
	w := newWorld(t)
	c := remindersOnly()
	c.Reminders.At = "22:30" // due inside quiet hours 22:00–08:00
	s := w.scheduler(t, c, nil, nil)
	for _, when := range []string{"2026-12-18 22:30", "2026-12-19 03:00", "2026-12-19 07:59"} {
		if r := w.run(t, s, when); r.Sent != 0 || r.Waiting != 1 {
			t.Fatalf("at %s: %+v, want waiting", when, r)
		}
	}
	if r := w.run(t, s, "2026-12-19 08:00"); r.Sent != 1 {
		t.Fatalf("at quiet hours end: %+v", r)
	}
}

func TestQuietHours(t *testing.T) {
	for _, tc := range []struct {
		from, to, now string
		quiet         bool
	}{
		{"22:00", "08:00", "23:59", true},
		{"22:00", "08:00", "00:00", true},
		{"22:00", "08:00", "08:00", false},
		{"22:00", "08:00", "21:59", false},
		{"12:00", "14:00", "13:00", true},
		{"12:00", "14:00", "14:00", false},
		{"", "", "23:00", false},
	} {
		s := &Scheduler{cfg: Config{QuietHours: QuietHours{tc.from, tc.to}}}
		s.qFrom, s.qTo, _ = s.cfg.QuietHours.minutes()
		s.quiet = tc.from != ""
		if got := s.inQuiet(at("2026-12-01 " + tc.now)); got != tc.quiet {
			t.Errorf("%s–%s at %s: quiet %v, want %v", tc.from, tc.to, tc.now, got, tc.quiet)
		}
	}
}

// dirConfig sends 市团委's digest to a directory and a chat group.
func dirConfig(dir string) Config {
	c := DefaultConfig()
	c.Reminders.Enabled = false
	c.Committees = []Committee{{Name: "市团委", Destinations: []Destination{
		{Type: "dir", Path: dir, Format: "html"},
		{Type: "chat", Platform: "qq", Chat: "123456"},
	}}}
	return c
}

func TestCatchUpAfterDowntime(t *testing.T) {
	for _, tc := range []struct {
		name, up string
		sent     bool
	}{
		{"down at 09:00, up at 15:00", "2026-11-23 15:00", true},
		{"up within the window but in quiet hours", "2026-11-23 23:00", false},
		{"up after the window", "2026-11-24 10:00", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorld(t)
			dir := t.TempDir()
			s := w.scheduler(t, dirConfig(dir), nil, nil)
			r := w.run(t, s, tc.up)
			_, err := os.Stat(filepath.Join(dir, "市团委-2026-W47.html"))
			if got := err == nil; got != tc.sent || (r.Sent == 2) != tc.sent {
				t.Fatalf("file written %v, report %+v; want sent %v", got, r, tc.sent)
			}
			if !tc.sent && tc.up == "2026-11-24 10:00" {
				if got := w.jobRun(t, "digest:市团委", "2026-W47", "*"); got.Status != "missed" {
					t.Errorf("missed run recorded as %+v", got)
				}
			}
		})
	}
}

func TestRestartSendsNothingTwice(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	s := w.scheduler(t, dirConfig(dir), nil, nil)
	if r := w.run(t, s, "2026-11-23 09:00"); r.Sent != 2 {
		t.Fatalf("first run: %+v", r)
	}
	n := len(w.out.Sent())
	if n != 1 || !strings.Contains(w.out.Sent()[0].Text, "市团委周报 2026-W47") {
		t.Fatalf("chat got %+v", w.out.Sent())
	}
	// A new scheduler on the same store, as after a restart, at once and an hour later.
	s2 := w.scheduler(t, dirConfig(dir), nil, nil)
	for _, when := range []string{"2026-11-23 09:01", "2026-11-23 10:00"} {
		if r := w.run(t, s2, when); r != (Report{}) {
			t.Errorf("restarted scheduler at %s: %+v", when, r)
		}
	}
	// The cron way: Start catches up and Stop waits for it; still nothing twice.
	s3 := w.scheduler(t, dirConfig(dir), nil, nil)
	s3.Start(context.Background())
	if err := s3.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := len(w.out.Sent()); got != n {
		t.Errorf("after restarts the chat got %d messages, want %d", got, n)
	}
	files, _ := os.ReadDir(dir)
	if len(files) != 1 {
		t.Errorf("files in dir: %v", files)
	}
}

func TestStartCatchesUp(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	w.clock.Set(at("2026-11-23 15:00"))
	s := w.scheduler(t, dirConfig(dir), nil, nil)
	s.Start(context.Background())
	if err := s.Stop(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "市团委-2026-W47.html")); err != nil {
		t.Fatalf("no catch-up at start: %v", err)
	}
}

// robotServer is a fake group-robot endpoint that fails the first failures requests.
type robotServer struct {
	mu       sync.Mutex
	failures int
	reqs     []*http.Request
	bodies   [][]byte
}

func (f *robotServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reqs = append(f.reqs, r)
	f.bodies = append(f.bodies, b)
	if f.failures > 0 {
		f.failures--
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	if strings.Contains(r.URL.Path, "open-apis") {
		io.WriteString(w, `{"code":0,"msg":"success"}`)
		return
	}
	io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
}

func TestWebhookDeliveries(t *testing.T) {
	env := map[string]string{"WECOM_KEY": "wk-1", "DING_TOKEN": "dt-1", "DING_SECRET": "SECds", "FEISHU_HOOK": "fh-1", "FEISHU_SECRET": "fs"}
	for _, tc := range []struct {
		dest  Destination
		check func(t *testing.T, r *http.Request, body map[string]any, now time.Time)
	}{
		{Destination{Type: "wecom", KeyEnv: "WECOM_KEY"}, func(t *testing.T, r *http.Request, body map[string]any, _ time.Time) {
			if r.URL.Path != "/cgi-bin/webhook/send" || r.URL.Query().Get("key") != "wk-1" {
				t.Errorf("url %s", r.URL)
			}
			if body["msgtype"] != "markdown" || !strings.Contains(body["markdown"].(map[string]any)["content"].(string), "市团委周报 2026-W47") {
				t.Errorf("payload %v", body)
			}
		}},
		{Destination{Type: "dingtalk", KeyEnv: "DING_TOKEN", SecretEnv: "DING_SECRET"}, func(t *testing.T, r *http.Request, body map[string]any, now time.Time) {
			q := r.URL.Query()
			if r.URL.Path != "/robot/send" || q.Get("access_token") != "dt-1" {
				t.Errorf("url %s", r.URL)
			}
			ts := q.Get("timestamp")
			if ts != "1795396500000" || q.Get("sign") != notify.DingTalkSign(ts, "SECds") {
				t.Errorf("timestamp %s sign %s", ts, q.Get("sign"))
			}
			md := body["markdown"].(map[string]any)
			if body["msgtype"] != "markdown" || md["title"] != "市团委周报 2026-W47" || !strings.Contains(md["text"].(string), "活跃团干部") {
				t.Errorf("payload %v", body)
			}
		}},
		{Destination{Type: "feishu", KeyEnv: "FEISHU_HOOK", SecretEnv: "FEISHU_SECRET"}, func(t *testing.T, r *http.Request, body map[string]any, now time.Time) {
			if r.URL.Path != "/open-apis/bot/v2/hook/fh-1" {
				t.Errorf("url %s", r.URL)
			}
			if body["timestamp"] != "1795396500" || body["sign"] != notify.FeishuSign("1795396500", "fs") {
				t.Errorf("timestamp %v sign %v", body["timestamp"], body["sign"])
			}
			if body["msg_type"] != "interactive" {
				t.Errorf("payload %v", body)
			}
		}},
	} {
		t.Run(tc.dest.Type, func(t *testing.T) {
			w := newWorld(t)
			srv := &robotServer{}
			hs := httptest.NewServer(srv)
			defer hs.Close()
			tc.dest.BaseURL = hs.URL
			c := DefaultConfig()
			c.Reminders.Enabled = false
			c.Committees = []Committee{{Name: "市团委", Destinations: []Destination{tc.dest}}}
			s := w.scheduler(t, c, env, hs.Client())
			if r := w.run(t, s, "2026-11-23 09:15"); r.Sent != 1 {
				t.Fatalf("report %+v", r)
			}
			if len(srv.reqs) != 1 {
				t.Fatalf("%d requests", len(srv.reqs))
			}
			var body map[string]any
			if err := json.Unmarshal(srv.bodies[0], &body); err != nil {
				t.Fatal(err)
			}
			tc.check(t, srv.reqs[0], body, w.clock.Now())
		})
	}
}

func TestFailedDeliveryIsRetriedWithBackoff(t *testing.T) {
	w := newWorld(t)
	srv := &robotServer{failures: 2}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := DefaultConfig()
	c.Reminders.Enabled = false
	c.Committees = []Committee{{Name: "市团委", Destinations: []Destination{{Type: "wecom", KeyEnv: "K", BaseURL: hs.URL}}}}
	s := w.scheduler(t, c, map[string]string{"K": "k"}, hs.Client())
	steps := []struct {
		when     string
		report   Report
		requests int
	}{
		// the week before's digest, due before this store existed, is reported missed once
		{"2026-11-23 09:00", Report{Failed: 1, Missed: 1}, 1},
		{"2026-11-23 09:00", Report{}, 1}, // backoff 1m
		{"2026-11-23 09:01", Report{Failed: 1}, 2},
		{"2026-11-23 09:02", Report{}, 2}, // backoff 2m
		{"2026-11-23 09:03", Report{Sent: 1}, 3},
		{"2026-11-23 09:30", Report{}, 3},
	}
	for _, st := range steps {
		if r := w.run(t, s, st.when); r != st.report || len(srv.reqs) != st.requests {
			t.Fatalf("at %s: report %+v requests %d, want %+v %d", st.when, r, len(srv.reqs), st.report, st.requests)
		}
	}
	if got := w.jobRun(t, "digest:市团委", "2026-W47", "wecom:K"); got.Status != "sent" || got.Attempts != 3 {
		t.Errorf("job run %+v", got)
	}
}

func TestGiveUpIsRecorded(t *testing.T) {
	w := newWorld(t)
	srv := &robotServer{failures: 100}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c := DefaultConfig()
	c.Reminders.Enabled = false
	c.Retry = Retry{Attempts: 2, Backoff: time.Minute}
	c.Committees = []Committee{{Name: "市团委", Destinations: []Destination{{Type: "wecom", KeyEnv: "K", BaseURL: hs.URL}}}}
	s := w.scheduler(t, c, map[string]string{"K": "k"}, hs.Client())
	w.run(t, s, "2026-11-23 09:00")
	w.run(t, s, "2026-11-23 09:01")
	w.run(t, s, "2026-11-23 09:10")
	if len(srv.reqs) != 2 {
		t.Errorf("%d attempts, want 2", len(srv.reqs))
	}
	got := w.jobRun(t, "digest:市团委", "2026-W47", "wecom:K")
	if got.Status != "failed" || got.Attempts != 2 || !strings.Contains(got.Err, "503") {
		t.Errorf("job run %+v", got)
	}
	if done := w.jobRun(t, "digest:市团委", "2026-W47", "*"); done.Status != "done" || !strings.Contains(done.Err, "wecom:K") {
		t.Errorf("occurrence %+v", done)
	}
}

func TestOversizedDigestIsSplitOnUTF8Boundaries(t *testing.T) {
	srv := &robotServer{}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	o := &Options{Getenv: func(string) string { return "k" }, HTTPClient: hs.Client(), Now: time.Now}
	d, err := buildDest(Destination{Type: "wecom", KeyEnv: "K", BaseURL: hs.URL}, o)
	if err != nil {
		t.Fatal(err)
	}
	big := strings.Repeat("青年之家：志愿服务与就业指导，一句话二十一个字。\n", 300) // ~ 21 KB
	if err := d.deliver(context.Background(), "ref", Content{Title: "周报", Markdown: big}); err != nil {
		t.Fatal(err)
	}
	if len(srv.bodies) < 2 {
		t.Fatalf("%d requests, want the digest split", len(srv.bodies))
	}
	for i, b := range srv.bodies {
		var body struct{ Markdown struct{ Content string } }
		if err := json.Unmarshal(b, &body); err != nil {
			t.Fatal(err)
		}
		if c := body.Markdown.Content; len(c) > notify.WeComMarkdownLimit || !utf8.ValidString(c) {
			t.Errorf("part %d: %d bytes, valid UTF-8 %v", i, len(c), utf8.ValidString(c))
		}
	}
	// Chat destinations split too, each part keyed so it is queued once.
	out := &bottest.Outbox{}
	if err := enqueueText(context.Background(), out, bot.Chat{Platform: bot.QQ, Kind: bot.Group, ID: "1"}, "ref", big, 1800); err != nil {
		t.Fatal(err)
	}
	var joined bytes.Buffer
	keys := map[string]bool{}
	for _, m := range out.Sent() {
		if len(m.Text) > 1800+len("（99/99）\n") || !utf8.ValidString(m.Text) || keys[m.Key] {
			t.Errorf("part %q: %d bytes, key %q", m.Text[:20], len(m.Text), m.Key)
		}
		keys[m.Key] = true
		_, rest, _ := strings.Cut(m.Text, "\n")
		joined.WriteString(rest)
	}
	// ~21 KB needs 12 parts of 1800 bytes: a chat gets 5, the last saying the rest was cut.
	const notice = "\n……（内容过长，后文已截断）"
	got := strings.TrimSuffix(joined.String(), notice)
	if len(out.Sent()) != maxChatParts || !strings.HasSuffix(joined.String(), notice) || !strings.HasPrefix(big, got) || len(got) < 4*1700 {
		t.Errorf("%d parts; reassembled %d bytes, a prefix of the digest %v", len(out.Sent()), len(got), strings.HasPrefix(big, got))
	}
	// A digest that fits goes whole, in one message.
	out = &bottest.Outbox{}
	enqueueText(context.Background(), out, bot.Chat{Platform: bot.QQ, Kind: bot.Group, ID: "1"}, "ref2", "短周报", 1800)
	if m := out.Sent(); len(m) != 1 || m[0].Text != "短周报" || m[0].Key != "ref2#1" {
		t.Errorf("short text sent as %+v", m)
	}
}

func TestQuarterlySchedules(t *testing.T) {
	day := func(q period.Span) time.Time { return q.From.Add(9 * time.Hour) }
	for _, tc := range []struct {
		name     string
		s        quarterly
		from     string
		wantNext string
	}{
		{"start", quarterly{day}, "2026-11-23 10:00", "2027-01-01 09:00"},
		{"start, just before", quarterly{day}, "2026-10-01 08:59", "2026-10-01 09:00"},
		{"mid", quarterly{func(q period.Span) time.Time { return mid(q).Add(9 * time.Hour) }}, "2026-10-02 00:00", "2026-11-16 09:00"},
		{"14 days before end", quarterly{func(q period.Span) time.Time { return q.To.AddDate(0, 0, -14).Add(9 * time.Hour) }}, "2026-12-20 00:00", "2027-03-18 09:00"},
	} {
		if got := tc.s.Next(at(tc.from)); !got.Equal(at(tc.wantNext)) {
			t.Errorf("%s: Next(%s) = %s, want %s", tc.name, tc.from, got, tc.wantNext)
		}
	}
	if got := DigestWeek(at("2026-11-23 09:00")).Name; got != "2026-W47" {
		t.Errorf("digest week %s", got)
	}
}

func TestEndReportListsCadresStillBehind(t *testing.T) {
	w := newWorld(t)
	dir := t.TempDir()
	c := DefaultConfig()
	c.Reminders.Plan, c.Reminders.Progress, c.Reminders.DaysBeforeEnd = false, false, 0
	c.Committees = []Committee{{Name: "市团委", Digest: new(bool), Destinations: []Destination{{Type: "dir", Path: dir, Format: "text"}}}}
	s := w.scheduler(t, c, nil, nil)
	if r := w.run(t, s, "2027-01-01 09:00"); r.Sent != 1 {
		t.Fatalf("report %+v", r)
	}
	b, err := os.ReadFile(filepath.Join(dir, "市团委-2026Q4-未完成名单.txt"))
	if err != nil {
		t.Fatal(err)
	}
	s2 := string(b)
	if !strings.Contains(s2, "乙（区团委）：开展一次线下活动 0/1") || !strings.Contains(s2, "丙（区团委）") || strings.Contains(s2, "甲（") ||
		!strings.Contains(s2, "共 2 人未完成全部事项（共 3 人）") {
		t.Errorf("report:\n%s", s2)
	}
}

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(c *Config)
		want string // "" valid
	}{
		{"defaults", func(c *Config) {}, ""},
		{"bad cron", func(c *Config) { c.Digest.Cron = "every monday" }, "digest.cron"},
		{"bad quiet hours", func(c *Config) { c.QuietHours.From = "25:00" }, "quiet_hours.from"},
		{"no quiet hours", func(c *Config) { c.QuietHours = QuietHours{} }, ""},
		{"zero attempts", func(c *Config) { c.Retry.Attempts = 0 }, "retry.attempts"},
		{"secret pasted as env name", func(c *Config) {
			c.Committees = []Committee{{Name: "x", Destinations: []Destination{{Type: "wecom", KeyEnv: "693a91f6-7xxx"}}}}
		}, "key_env"},
		{"unknown type", func(c *Config) { c.Committees = []Committee{{Name: "x", Destinations: []Destination{{Type: "email"}}}} }, "type"},
		{"chat without id", func(c *Config) {
			c.Committees = []Committee{{Name: "x", Destinations: []Destination{{Type: "chat", Platform: "qq"}}}}
		}, "chat 不能为空"},
		{"duplicate destination", func(c *Config) {
			d := Destination{Type: "dir", Path: "out"}
			c.Committees = []Committee{{Name: "x", Destinations: []Destination{d, d}}}
		}, "重复"},
	} {
		c := DefaultConfig()
		tc.edit(&c)
		err := c.Validate()
		if (err == nil) != (tc.want == "") || err != nil && !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestMissingRobotKeyStopsStartUp(t *testing.T) {
	w := newWorld(t)
	c := DefaultConfig()
	c.Committees = []Committee{{Name: "市团委", Destinations: []Destination{{Type: "dingtalk", KeyEnv: "NOT_SET"}}}}
	_, err := New(c, w.db, Options{Policy: w.policy, Getenv: func(string) string { return "" }})
	if err == nil || !strings.Contains(err.Error(), "NOT_SET") {
		t.Errorf("error %v, want it to name the variable", err)
	}
}
