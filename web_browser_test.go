package main

import (
	"context"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"youthlink/config"
	"youthlink/sheet"
	"youthlink/web"
)

// chromium finds a headless-capable Chromium; outside CI its absence skips the test, in CI
// (CI=true) it fails it.
func chromium(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "浏览器测试需要 Chromium：apt-get install -y chromium fonts-noto-cjk"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// artifacts is where screenshots go: $YOUTHLINK_ARTIFACTS, else a temporary directory.
func artifacts(t *testing.T) string {
	dir := os.Getenv("YOUTHLINK_ARTIFACTS")
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestDashboardInBrowser drives the dashboard on the demo data with headless Chromium: log in,
// see the charts, open a cadre and their evidence, download the workbook, be refused a form
// without its CSRF token, and, as a county account, be refused another county's cadre.
func TestDashboardInBrowser(t *testing.T) {
	exe := chromium(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	dbPath := demoDB(t)
	a, err := openApp(ctx, config.Default(), appOptions{db: dbPath, now: func() time.Time { return demoNow }})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	wc := web.DefaultConfig()
	env := map[string]string{wc.AdminPasswordEnv: "demo-admin-pw"}
	srv, err := newWeb(ctx, a, wc, func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	countyPW, err := web.AddAccount(ctx, a.db, "高新区团委", "gaoxin", false)
	if err != nil {
		t.Fatal(err)
	}
	wang, err := a.db.CadreByName(ctx, "王小明")
	if err != nil {
		t.Fatal(err)
	}
	li, err := a.db.CadreByName(ctx, "李华")
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()

	shots, downloads := artifacts(t), t.TempDir()
	alloc, cancelAlloc := chromedp.NewExecAllocator(ctx,
		chromedp.ExecPath(exe), chromedp.UserDataDir(t.TempDir()),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.Flag("window-size", "1280,900"))
	defer cancelAlloc()
	bctx, cancelBrowser := chromedp.NewContext(alloc)
	defer cancelBrowser()

	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(bctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	// click follows a link or submits a form and waits for the next page.
	click := func(what, sel string) {
		t.Helper()
		if _, err := chromedp.Run(bctx, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(chromedp.CSS(sel)))); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(bctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("text of %s: %v", sel, err)
		}
		return s
	}
	eval := func(js string) int {
		t.Helper()
		n, err := chromedp.Run(bctx, chromedp.Evaluate[int](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return n
	}
	shot := func(name string) {
		t.Helper()
		b, err := chromedp.Run(bctx, chromedp.FullScreenshot(80))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".jpg"), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	status := func(path string) int64 {
		t.Helper()
		resp, err := chromedp.Run(bctx, chromedp.NavigateResponse(ts.URL+path))
		if err != nil {
			t.Fatalf("open %s: %v", path, err)
		}
		return resp.Status
	}
	login := func(name, pw string) {
		t.Helper()
		do("open the login page", chromedp.Navigate(ts.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`input[name="name"]`)),
			chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), name),
			chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), pw))
		click("log in", `section.login button[type="submit"]`)
	}

	// Log in and see the overview with its charts.
	login("admin", "demo-admin-pw")
	shot("login-done-overview")
	if h := text("h1"); !strings.Contains(h, "示范市团委") || !strings.Contains(h, "2026Q4") {
		t.Fatalf("overview heading %q", h)
	}
	if n := eval(`document.querySelectorAll("svg#weekly-chart polyline").length`); n != 2 {
		t.Fatalf("weekly chart has %d lines, want 2", n)
	}
	if n := eval(`document.querySelectorAll("svg#coverage-chart rect.bar").length`); n != 6 {
		t.Fatalf("coverage histogram has %d bars, want 6", n)
	}

	// Download the workbook from the overview.
	progress := chromedp.Events(bctx, browser.DownloadProgress)
	do("allow downloads", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: new(true)})
		return err
	}), chromedp.Click(chromedp.CSS(`a.button[href^="/export?format=xlsx"]`)))
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("download canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatalf("downloaded workbook: %v", err)
	}
	if got := strings.Join(x.GetSheetList(), ","); got != "排名,城区团委,高新区团委" {
		t.Errorf("downloaded sheets %s", got)
	}
	rows, err := x.GetRows("城区团委")
	x.Close()
	if err != nil || len(rows) < 2 || strings.Join(rows[0], ",") != strings.Join(sheet.Header, ",") {
		t.Fatalf("downloaded 城区团委 sheet: %v %v", err, rows)
	}
	checkDemoRow(t, rows[1])

	// Open a cadre, then the evidence behind "reached".
	click("open 王小明", fmt.Sprintf(`table.list a[href^="/cadres/%d"]`, wang.ID))
	if h := text("h1"); !strings.Contains(h, "王小明 的联系台账") {
		t.Fatalf("cadre heading %q", h)
	}
	shot("cadre")
	click("open the evidence of reached", "#fig-reached")
	if n := eval(`document.querySelectorAll("#reached tbody tr").length`); n != 8 {
		t.Errorf("reached youths listed: %d, want 8", n)
	}
	if ev := text("#evidence"); !strings.Contains(ev, "收到，我来统筹安排") || !strings.Contains(ev, "社区敬老院志愿服务") {
		t.Errorf("evidence table lacks the cadre's reply or the activity:\n%s", ev)
	}
	shot("evidence")
	for _, p := range []struct{ path, name string }{{"/lists", "lists"}, {"/groups", "groups"}, {"/topics", "topics"},
		{"/questions", "questions"}, {"/digests", "digests"}, {"/users", "users"}} {
		if code := status(p.path); code != 200 {
			t.Errorf("%s: %d", p.path, code)
		}
		shot(p.name)
	}

	// A form posted without its CSRF token is refused.
	do("open the accounts page", chromedp.Navigate(ts.URL+"/users"),
		chromedp.SendKeys(chromedp.CSS(`input[name="name"]`), "nocsrf"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('form.stack input[name="csrf"]').remove()`))
	click("submit without token", `form.stack button[type="submit"]`)
	if body := text("main"); !strings.Contains(body, "安全令牌") {
		t.Errorf("form without token: page says %q", body)
	}
	if _, err := a.db.WebUserByName(ctx, "nocsrf"); err == nil {
		t.Error("the account was created without a CSRF token")
	}

	// A county account sees its own cadre, not another county's.
	do("back to the overview", chromedp.Navigate(ts.URL+"/"))
	click("log out", `form.who button`)
	login("gaoxin", countyPW)
	if code := status(fmt.Sprintf("/cadres/%d", li.ID)); code != 200 {
		t.Errorf("county account, own cadre: %d", code)
	}
	if code := status(fmt.Sprintf("/cadres/%d", wang.ID)); code != 404 {
		t.Errorf("county account, another county's cadre: %d, want 404", code)
	}
	if code := status(fmt.Sprintf("/cadres/%d/evidence?what=reached", wang.ID)); code != 404 {
		t.Errorf("county account, another county's evidence: %d, want 404", code)
	}
	shot("county-refused")
	t.Logf("screenshots in %s", shots)
}
