package main

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/config"
	"youthlink/storage"
)

const crashConfig = `
committees:
  - {name: 省团委}
cadres:
  - {name: 团干部0, committee: 省团委, kind: full_time}
topics:
  keywords: false
`

// TestCrashChild is the child of TestCrashKeepsAcceptedMessages: it ingests at full speed and
// prints the id of every message once the engine says it is committed. It does nothing unless
// started by the parent.
func TestCrashChild(t *testing.T) {
	a, first := crashChildApp(t, "YOUTHLINK_CRASH", "TestCrashKeepsAcceptedMessages")
	ctx := context.Background()
	cd, err := a.db.CadreByName(ctx, "团干部0")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.db.BindIdentity(ctx, bot.QQ, bot.User{ID: "9000"}, cd.ID); err != nil {
		t.Fatal(err)
	}
	a.start(ctx)
	evs := synthChat(first+50_000, 20, 500, 1)[first:]
	out := bufio.NewWriter(os.Stdout)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < len(evs); i += 16 {
				if _, err := a.engine.DeliverWait(ctx, evs[i]); err != nil {
					return
				}
				mu.Lock()
				fmt.Fprintf(out, "ok %s\n", evs[i].MsgID)
				out.Flush()
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
}

// crashChildApp opens the app of a crash test's child on the database the parent named in
// prefix_DB, and returns it with the first message number, prefix_FIRST. Run other than by the
// parent, the child skips.
func crashChildApp(t *testing.T, prefix, parent string) (*app, int) {
	t.Helper()
	dbPath := os.Getenv(prefix + "_DB")
	if dbPath == "" {
		t.Skip("run by " + parent)
	}
	first, err := strconv.Atoi(os.Getenv(prefix + "_FIRST"))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("crash", []byte(crashConfig))
	if err != nil {
		t.Fatal(err)
	}
	a, err := openApp(context.Background(), cfg, appOptions{db: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	return a, first
}

// TestCrashKeepsAcceptedMessages kills an ingesting child process with SIGKILL at random
// moments, 20 times, and checks after each restart that every message the engine had accepted is
// stored, the rollups equal a recount from the raw interactions, and SQLite's integrity check is ok.
func TestCrashKeepsAcceptedMessages(t *testing.T) {
	if testing.Short() {
		t.Skip("crash loop: runs without -short")
	}
	dbPath := filepath.Join(t.TempDir(), "crash.db")
	rng := rand.New(rand.NewPCG(8, 20))
	accepted := map[string]bool{}
	for run := 0; run < 20; run++ {
		n := 0
		runUntilKilled(t, rng, "TestCrashChild", []string{"YOUTHLINK_CRASH_DB=" + dbPath, fmt.Sprintf("YOUTHLINK_CRASH_FIRST=%d", run*1000)},
			func(line string) bool {
				id, ok := strings.CutPrefix(line, "ok ")
				if ok {
					accepted[id] = true
					n++
				}
				return ok
			})
		check(t, run, dbPath, accepted)
		t.Logf("run %d: %d messages accepted before the kill, %d in all", run, n, len(accepted))
	}
	if len(accepted) == 0 {
		t.Fatal("the child never accepted a message")
	}
}

// runUntilKilled starts this test binary again as the child test named child, with env added,
// hands every line the child prints to line (true once the child's work is under way), and
// SIGKILLs it at a random moment 100–800 ms after the first such line (start-up is slow under
// -race, so the clock starts there). It returns once the child is gone and its output read.
func runUntilKilled(t *testing.T, rng *rand.Rand, child string, env []string, line func(string) bool) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^"+child+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done, started := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		once := sync.OnceFunc(func() { close(started) })
		defer once()
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if line(sc.Text()) {
				once()
			}
		}
	}()
	select {
	case <-started:
	case <-done:
		cmd.Wait()
		t.Fatalf("%s ended before its work was under way", child)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("%s did not get under way within 60 s", child)
	}
	time.Sleep(time.Duration(100+rng.IntN(700)) * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill %s: %v", child, err)
	}
	<-done
	cmd.Wait() // the kill's error: checked below
	if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Fatalf("%s ended (%v) before the kill: the run tested no crash", child, cmd.ProcessState)
	}
}

func check(t *testing.T, run int, dbPath string, accepted map[string]bool) {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, dbPath)
	if err != nil {
		t.Fatalf("run %d: reopen: %v", run, err)
	}
	defer db.Close()
	if s, err := db.IntegrityCheck(ctx); err != nil || s != "ok" {
		t.Fatalf("run %d: integrity_check = %q, %v", run, s, err)
	}
	missing, err := db.MissingMessages(ctx, bot.QQ, accepted)
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Fatalf("run %d: %d accepted messages lost, e.g. %v", run, len(missing), missing[:min(5, len(missing))])
	}
	if diff, err := db.RollupDrift(ctx); err != nil || diff != 0 {
		t.Fatalf("run %d: rollups differ from a recount in %d rows (%v)", run, diff, err)
	}
}
