package main

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/config"
)

// fileSender is the "platform" of the outbox crash test: it appends the outbox id of every
// message it is given to a file and fsyncs before returning, so the file is a durable record of
// what the platform received, whatever happens to the process afterwards.
type fileSender struct {
	mu sync.Mutex
	f  *os.File
}

func (s *fileSender) Send(_ context.Context, m bot.Outgoing) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.f, "%d\n", m.ID); err != nil {
		return "", fmt.Errorf("record send: %w", err)
	}
	if err := s.f.Sync(); err != nil {
		return "", fmt.Errorf("sync send log: %w", err)
	}
	return "p" + strconv.FormatInt(m.ID, 10), nil
}

func openSendLog(t *testing.T, path string) *fileSender {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &fileSender{f: f}
}

// TestCrashOutboxChild is the child of TestCrashOutboxSendsOnce: it queues outbox messages
// (each with a key, printing the key once Enqueue returned) and feeds /帮助 commands through the
// engine (their answers go through the outbox too), while the outbox sends everything through
// a fileSender. It does nothing unless started by the parent.
func TestCrashOutboxChild(t *testing.T) {
	a, first := crashChildApp(t, "YOUTHLINK_OUTBOX", "TestCrashOutboxSendsOnce")
	ctx := context.Background()
	a.addAdapter(bot.QQ, openSendLog(t, os.Getenv("YOUTHLINK_OUTBOX_LOG")), bot.Limits{})
	a.start(ctx)
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	say := func(f string, args ...any) {
		mu.Lock()
		fmt.Fprintf(out, f+"\n", args...)
		out.Flush()
		mu.Unlock()
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { // messages queued directly, as the scheduler and escalations do
		defer wg.Done()
		for i := first; i < first+100_000; i++ {
			m := bot.Outgoing{Chat: bot.Chat{Platform: bot.QQ, Account: "10001", Kind: bot.Group, ID: fmt.Sprint(700 + i%40)},
				Text: fmt.Sprintf("提醒 %d", i), Key: fmt.Sprintf("k%d", i)}
			if err := a.outbox.Enqueue(ctx, m); err != nil {
				return
			}
			say("queued %s", m.Key)
			time.Sleep(time.Millisecond) // a busy bot's pace, not a flood: the drain must stay short
		}
	}()
	go func() { // commands answered by the handlers
		defer wg.Done()
		for i := first; i < first+100_000; i++ {
			ev := bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Group, ChatID: fmt.Sprint(800 + i%10),
				ChatName: "命令群", MsgID: fmt.Sprintf("c%d", i), Kind: bot.Text, Time: time.Now(),
				Sender: bot.User{ID: fmt.Sprint(200000 + i%50), Name: "青年"}, Text: "/帮助"}
			if _, err := a.engine.DeliverWait(ctx, ev); err != nil {
				return
			}
			say("cmd %s", ev.MsgID)
			time.Sleep(2 * time.Millisecond)
		}
	}()
	wg.Wait()
}

// TestCrashOutboxSendsOnce kills a child that queues and sends outbox messages with SIGKILL at
// random moments, 20 times, then restarts the outbox once more to drain it, and checks what the
// platform (a durable send log) received.
//
// Stated outcome: every message that was queued (Enqueue returned) is sent (one claimed by the
// killed process once its one-minute claim has lapsed); no message is sent
// more than twice; and a message is sent twice only when it is the one the kill caught between
// the platform's send and MarkOutgoing committing "sent". That window is unavoidable without an
// idempotent platform API (neither WeChat nor OneBot has one): the outbox sends one message at a
// time, so it holds at most one message per crash, and duplicates are bounded by the number of
// kills. The test counts them, checks each against the message in flight at its kill, and logs
// the count. Every accepted command is answered: one the kill caught after it was stored but
// before its handler ran stays in the journal (storage's unhandled table) and is handled at the
// next start; its reply keys are made of the command, so a reply queued before the kill is not
// queued again.
func TestCrashOutboxSendsOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop: runs without -short")
	}
	dir := t.TempDir()
	dbPath, logPath := filepath.Join(dir, "outbox.db"), filepath.Join(dir, "sent.log")
	rng := rand.New(rand.NewPCG(8, 21))
	queued := map[string]bool{}
	cmds := map[string]bool{}
	inFlight := map[int64]int{} // id sent but not marked when a kill came → kills that caught it
	const kills = 20
	for run := 0; run < kills; run++ {
		env := []string{"YOUTHLINK_OUTBOX_DB=" + dbPath, "YOUTHLINK_OUTBOX_LOG=" + logPath, fmt.Sprintf("YOUTHLINK_OUTBOX_FIRST=%d", run*100_000)}
		runUntilKilled(t, rng, "TestCrashOutboxChild", env, func(line string) bool {
			if k, ok := strings.CutPrefix(line, "queued "); ok {
				queued[k] = true
				return true
			}
			if id, ok := strings.CutPrefix(line, "cmd "); ok {
				cmds[id] = true
			}
			return false
		})
		sent := readSendLog(t, logPath)
		if len(sent.order) > 0 {
			last := sent.order[len(sent.order)-1]
			if status := outboxStatus(t, dbPath, last); status != "sent" {
				inFlight[last]++
			}
		}
		t.Logf("run %d: %d queued in all, %d sends logged", run, len(queued), len(sent.order))
	}
	if len(queued) == 0 {
		t.Fatal("the child never queued a message")
	}

	// The last restart: the engine hands the commands the kills caught before their handler ran
	// to the handlers again, then the outbox runs until nothing is pending. A message the killed
	// process had claimed but not sent stays claimed for the claim's lease (one minute, so that two
	// processes sharing a store never send it at once); this restart runs on a clock past it, as a
	// restart a little later would.
	ctx := context.Background()
	cfg, err := config.Parse("crash", []byte(crashConfig))
	if err != nil {
		t.Fatal(err)
	}
	later := func() time.Time { return time.Now().Add(2 * time.Minute) }
	a, err := openApp(ctx, cfg, appOptions{db: dbPath, now: later})
	if err != nil {
		t.Fatal(err)
	}
	a.addAdapter(bot.QQ, openSendLog(t, logPath), bot.Limits{})
	stopApp := a.start(ctx)
	if err := a.engine.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	db := a.db
	for i := 0; ; i++ {
		if _, err := a.outbox.Pass(ctx); err != nil {
			t.Fatal(err)
		}
		n, err := db.OutboxCounts(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n["pending"] == 0 {
			if n["failed"] != 0 {
				t.Fatalf("%d outbox messages failed", n["failed"])
			}
			break
		}
		if i > 10_000 {
			t.Fatalf("outbox does not drain: %v", n)
		}
	}
	stopApp()
	if left, err := db.Unhandled(ctx); err != nil || len(left) != 0 {
		t.Fatalf("%d events still unhandled (%v)", len(left), err)
	}
	if s, err := db.IntegrityCheck(ctx); err != nil || s != "ok" {
		t.Fatalf("integrity_check = %q, %v", s, err)
	}
	a.close()

	sent := readSendLog(t, logPath)
	raw, err := sql.Open("sqlite3", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	rows, err := raw.Query(`SELECT id, COALESCE(key, ''), reply_to, status FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	answered := map[string]int{} // command msg id → outbox rows replying to it
	total := 0
	for rows.Next() {
		var id int64
		var key, replyTo, status string
		if err := rows.Scan(&id, &key, &replyTo, &status); err != nil {
			t.Fatal(err)
		}
		total++
		if status != "sent" {
			t.Errorf("outbox %d is %s after the drain", id, status)
		}
		if sent.count[id] == 0 {
			t.Errorf("outbox %d (key %q) marked %s but the platform never got it", id, key, status)
		}
		delete(queued, key)
		answered[replyTo]++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if len(queued) > 0 {
		t.Fatalf("%d queued messages missing from the outbox", len(queued))
	}
	dups := 0
	for id, n := range sent.count {
		switch {
		case n > 2:
			t.Errorf("outbox %d sent %d times", id, n)
		case n == 2 && inFlight[id] == 0:
			t.Errorf("outbox %d sent twice but no kill caught it between send and mark", id)
		case n == 2:
			dups++
		}
	}
	if dups > kills {
		t.Errorf("%d duplicates for %d kills", dups, kills)
	}
	unanswered := 0
	for id := range cmds {
		switch answered[id] {
		case 0:
			unanswered++
		case 1:
		default:
			t.Errorf("command %s has %d replies queued: handling it again queued its answer twice", id, answered[id])
		}
	}
	t.Logf("%d outbox messages sent, %d twice (kills caught %d in flight), %d of %d accepted commands unanswered",
		total, dups, len(inFlight), unanswered, len(cmds))
	if unanswered > 0 {
		t.Errorf("%d accepted commands were never answered", unanswered)
	}
}

type sendLog struct {
	order []int64
	count map[int64]int
}

func readSendLog(t *testing.T, path string) sendLog {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	l := sendLog{count: map[int64]int{}}
	for _, f := range strings.Fields(string(b)) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil {
			t.Fatalf("send log: %v", err)
		}
		l.order = append(l.order, id)
		l.count[id]++
	}
	return l
}

func outboxStatus(t *testing.T, dbPath string, id int64) string {
	t.Helper()
	raw, err := sql.Open("sqlite3", dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var s string
	if err := raw.QueryRow(`SELECT status FROM outbox WHERE id = ?`, id).Scan(&s); err != nil {
		t.Fatalf("outbox %d: %v", id, err)
	}
	return s
}
