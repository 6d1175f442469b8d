package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/config"
	"youthlink/period"
	"youthlink/schedules"
	"youthlink/storage"
	"youthlink/storage/pgtest"
)

// twoProcConfig is what each of the two bot processes runs with: the shared PostgreSQL store,
// and a weekly digest to a WeCom group robot (the parent's test server).
const twoProcConfig = `
storage:
  driver: postgres
  dsn_env: YOUTHLINK_TWOPROC_DSN
committees:
  - {name: 省团委}
cadres:
  - {name: 团干部0, committee: 省团委, kind: full_time}
  - {name: 团干部1, committee: 省团委, kind: full_time}
  - {name: 团干部2, committee: 省团委, kind: full_time}
topics:
  keywords: false
schedules:
  enabled: true
  reminders: {enabled: false}
  committees:
    - name: 省团委
      destinations:
        - {type: wecom, key_env: YOUTHLINK_TWOPROC_KEY, base_url: "%s"}
`

// twoProcMessages is the chat both bot accounts see (they sit in the same groups). Quotes are
// left out: whether a quote counts depends on the quoted message being committed first, which
// two processes racing over the same chat cannot promise; mentions, messages and memberships
// count the same in any order.
func twoProcMessages() []bot.Event {
	evs := synthChat(3000, 12, 300, 3)
	for i := range evs {
		evs[i].ReplyTo = ""
	}
	return evs
}

// twoProcHalves splits the chat for an account: bot-a delivers the even messages first and
// bot-b the odd ones, both at once, so the two processes commit into the same groups, days and
// rollup rows concurrently; then each delivers the other half, which the other has stored.
func twoProcHalves(evs []bot.Event, account string) (own, other []bot.Event) {
	for i, ev := range evs {
		if (i%2 == 0) == (account == "bot-a") {
			own = append(own, ev)
		} else {
			other = append(other, ev)
		}
	}
	return own, other
}

// The two processes keep in step at meeting points: after start-up (before the half each starts
// with) and after their first halves (before the half each did not start with). At each a child
// prints twoProcReady on a line of its own and waits for a line "go" on its stdin, which the
// parent writes to both once both are ready; a child whose stdin closes fails and exits.
const (
	twoProcReady    = "twoproc ready"
	twoProcMeetings = 2
	// twoProcPatience is how long the parent waits for both processes at a meeting point, and
	// for both to finish after the last.
	twoProcPatience = 2 * time.Minute
)

// TestTwoProcessChild is one bot process of TestTwoProcessesShareOnePostgres: it ingests the
// whole chat as its own account sees it, then runs the scheduler at the digest's hour. It does
// nothing unless started by the parent.
func TestTwoProcessChild(t *testing.T) {
	account := os.Getenv("YOUTHLINK_TWOPROC_ACCOUNT")
	if account == "" {
		t.Skip("run by TestTwoProcessesShareOnePostgres")
	}
	ctx := context.Background()
	cfg, err := config.Parse("twoproc", []byte(fmt.Sprintf(twoProcConfig, os.Getenv("YOUTHLINK_TWOPROC_HOOK"))))
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(ctx, cfg, appOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer a.close()
	for c := range 3 {
		cd, err := a.db.CadreByName(ctx, fmt.Sprintf("团干部%d", c))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.db.BindIdentity(ctx, bot.QQ, bot.User{ID: fmt.Sprint(9000 + c)}, cd.ID); err != nil {
			t.Fatal(err)
		}
	}
	stop := a.start(ctx)
	defer stop()
	// meet: tell the parent this process is at a meeting point, and go on when the parent says
	// both are there
	stdin := bufio.NewReader(os.Stdin)
	meet := func() {
		fmt.Println(twoProcReady)
		line, err := stdin.ReadString('\n')
		if err != nil || strings.TrimSpace(line) != "go" {
			t.Fatalf("waiting for the parent's go: read %q, %v", line, err)
		}
	}
	own, other := twoProcHalves(twoProcMessages(), account)
	for _, half := range [][]bot.Event{own, other} {
		meet()
		for _, ev := range half {
			ev.Account = account
			if err := a.engine.Deliver(ctx, ev); err != nil {
				t.Fatal(err)
			}
		}
		if err := a.engine.Wait(ctx); err != nil {
			t.Fatal(err)
		}
	}
	s := a.engine.Stats()
	fmt.Printf("stored %d duplicates %d failed %d\n", s.Stored, s.Duplicates, s.Failed)

	sc, err := schedulesConfig(a)
	if err != nil {
		t.Fatal(err)
	}
	// the Monday 09:00 after the chat's week: the digest of that week is due
	now := func() time.Time { return time.Date(2026, 11, 9, 9, 1, 0, 0, period.Zone) }
	sch, err := schedules.New(sc, a.db, schedules.Options{Policy: a.cfg.Policy(), Outbox: a.outbox, Now: now,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		rep, err := sch.RunDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Printf("digest sent %d\n", rep.Sent)
	}
}

// twoProcChild is a running child process of TestTwoProcessesShareOnePostgres.
type twoProcChild struct {
	account string
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	ready   chan struct{} // a value for each twoProcReady line the child printed
	done    chan struct{} // closed once its output has ended and it has exited; then out and err are set
	out     strings.Builder
	err     error
}

// startTwoProcChild starts cmd, reading its stdout and stderr together.
func startTwoProcChild(account string, cmd *exec.Cmd) (*twoProcChild, error) {
	c := &twoProcChild{account: account, cmd: cmd, ready: make(chan struct{}, twoProcMeetings), done: make(chan struct{})}
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	c.stdin = stdin
	r, w, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Start()
	w.Close()
	if err != nil {
		r.Close()
		stdin.Close()
		return nil, fmt.Errorf("process %s: %w", account, err)
	}
	go func() {
		defer close(c.done)
		out := bufio.NewReader(r)
		for {
			line, err := out.ReadString('\n')
			c.out.WriteString(line)
			if strings.TrimSpace(line) == twoProcReady {
				select {
				case c.ready <- struct{}{}:
				default: // a ready beyond the meeting points: the child waits for a go that never comes, and the parent fails waiting for it to finish
				}
			}
			if err != nil {
				break
			}
		}
		r.Close()
		c.err = cmd.Wait()
	}()
	return c, nil
}

// TestTwoProcessesShareOnePostgres runs two bot processes (this test binary again) on one
// PostgreSQL database, as two accounts in the same groups would: every message reaches both,
// each process first ingesting its own half concurrently with the other, then the other half.
// Each message must be stored and counted once (both processes store part of the chat), the
// rollups must equal a recount, the figures must equal one process ingesting the chat alone, and
// the weekly digest must go out once.
func TestTwoProcessesShareOnePostgres(t *testing.T) {
	dsn := pgtest.DSN(t)
	var mu sync.Mutex
	bodies := map[string]int{}
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies[string(b)]++
		mu.Unlock()
		io.WriteString(w, `{"errcode":0,"errmsg":"ok"}`)
	}))
	defer hook.Close()

	var children []*twoProcChild
	defer func() {
		// a child left waiting for a go exits when its stdin closes; one stuck elsewhere is killed
		for _, c := range children {
			c.stdin.Close()
			c.cmd.Process.Kill()
			<-c.done
		}
	}()
	for _, account := range []string{"bot-a", "bot-b"} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestTwoProcessChild$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), "YOUTHLINK_TWOPROC_ACCOUNT="+account, "YOUTHLINK_TWOPROC_DSN="+dsn,
			"YOUTHLINK_TWOPROC_HOOK="+hook.URL, "YOUTHLINK_TWOPROC_KEY=k")
		c, err := startTwoProcChild(account, cmd)
		if err != nil {
			t.Fatal(err)
		}
		children = append(children, c)
	}
	// each meeting point: once both are ready, both go
	for m := range twoProcMeetings {
		timeout := time.After(twoProcPatience)
		for _, c := range children {
			select {
			case <-c.ready:
			case <-c.done:
				select {
				case <-c.ready:
				default:
					t.Fatalf("process %s ended before meeting point %d: %v\n%s", c.account, m+1, c.err, c.out.String())
				}
			case <-timeout:
				t.Fatalf("process %s not ready at meeting point %d within %v", c.account, m+1, twoProcPatience)
			}
		}
		for _, c := range children {
			if _, err := io.WriteString(c.stdin, "go\n"); err != nil {
				t.Fatalf("process %s: telling it to go: %v", c.account, err)
			}
		}
	}
	timeout := time.After(twoProcPatience)
	for _, c := range children {
		select {
		case <-c.done:
		case <-timeout:
			t.Fatalf("process %s did not finish within %v of the last meeting point", c.account, twoProcPatience)
		}
		if c.err != nil {
			t.Errorf("process %s: %v\n%s", c.account, c.err, c.out.String())
		}
	}
	if t.Failed() {
		return
	}
	evs := twoProcMessages()
	stored, sent := 0, 0
	var each []int
	for _, c := range children {
		sc := bufio.NewScanner(strings.NewReader(c.out.String()))
		for sc.Scan() {
			var s, d, f, n int
			if _, err := fmt.Sscanf(sc.Text(), "stored %d duplicates %d failed %d", &s, &d, &f); err == nil {
				stored += s
				each = append(each, s)
				if f != 0 {
					t.Errorf("a process failed %d messages", f)
				}
			} else if _, err := fmt.Sscanf(sc.Text(), "digest sent %d", &n); err == nil {
				sent += n
			}
		}
	}
	t.Logf("two processes stored %v new messages (%d in all) of %d delivered to each; digest deliveries %d", each, stored, len(evs), sent)
	if stored != len(evs) {
		t.Errorf("the two processes stored %d new messages, want %d: each message once", stored, len(evs))
	}
	if len(each) != 2 || each[0] == 0 || each[1] == 0 {
		t.Errorf("stored per process %v: each should have stored the half it started with", each)
	}
	if sent != 1 {
		t.Errorf("the digest was sent %d times across the processes, want once", sent)
	}
	if len(bodies) == 0 {
		t.Error("the group robot received nothing")
	}
	for b, n := range bodies {
		if n != 1 {
			t.Errorf("the group robot received the same message %d times: %.80s", n, b)
		}
	}

	ctx := context.Background()
	db, err := storage.OpenPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if n, err := db.MessageCount(ctx); err != nil || n != int64(len(evs)) {
		t.Fatalf("messages stored %d (%v), want %d", n, err, len(evs))
	}
	if diff, err := db.RollupDrift(ctx); err != nil || diff != 0 {
		t.Fatalf("rollups differ from a recount in %d rows (%v)", diff, err)
	}
	run, ok, err := db.JobRun(ctx, schedules.DigestJob("省团委"), "2026-W45", "wecom:YOUTHLINK_TWOPROC_KEY")
	if err != nil || !ok || run.Status != "sent" || run.Attempts != 1 {
		t.Errorf("digest job run %+v (found %v, %v), want sent at the first attempt", run, ok, err)
	}

	// One process alone, on SQLite, is the reference for every figure.
	cfg, err := config.Parse("ref", []byte(fmt.Sprintf(twoProcConfig, hook.URL)))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := openApp(ctx, cfg, appOptions{db: filepath.Join(t.TempDir(), "ref.db")})
	if err != nil {
		t.Fatal(err)
	}
	defer ref.close()
	for c := range 3 {
		cd, err := ref.db.CadreByName(ctx, fmt.Sprintf("团干部%d", c))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := ref.db.BindIdentity(ctx, bot.QQ, bot.User{ID: fmt.Sprint(9000 + c)}, cd.ID); err != nil {
			t.Fatal(err)
		}
	}
	stop := ref.start(ctx)
	for _, ev := range evs {
		if err := ref.engine.Deliver(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := ref.engine.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	stop()
	week := period.WeekOf(evs[0].Time)
	got, err := db.Facts(ctx, week)
	if err != nil {
		t.Fatal(err)
	}
	want, err := ref.db.Facts(ctx, week)
	if err != nil {
		t.Fatal(err)
	}
	summary := func(fs map[int64]*storage.Facts) string {
		var out []string
		for _, f := range fs {
			out = append(out, fmt.Sprintf("%s reached %d by kind %v messages %d roster %d", f.Cadre.Name, f.Reached, f.ByKind, f.Messages, f.Roster))
		}
		sort.Strings(out)
		return strings.Join(out, "\n")
	}
	if g, w := summary(got), summary(want); g != w || !strings.Contains(w, "reached") {
		t.Fatalf("figures after two processes:\n%s\none process:\n%s", g, w)
	}
	t.Logf("figures equal one process alone:\n%s", summary(got))
}
