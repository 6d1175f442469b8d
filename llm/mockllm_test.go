package llm

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// repoRoot walks up from the working directory to the folder holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's working directory")
		}
		dir = parent
	}
}

// missing skips the test outside CI and fails it in CI (CI=true), where the tools must exist.
func missing(t *testing.T, what string) {
	t.Helper()
	msg := what + ": run `npm ci --prefix .ci/npm` (needs node) to run the integration test against @dwmkerr/mock-llm"
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestMockLLMIntegration runs a real Ask through @dwmkerr/mock-llm, an independent
// OpenAI-compatible server that echoes the last user message.
func TestMockLLMIntegration(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		missing(t, "node is not installed")
	}
	main := filepath.Join(repoRoot(t), ".ci", "npm", "node_modules", "@dwmkerr", "mock-llm", "dist", "main.js")
	if _, err := os.Stat(main); err != nil {
		missing(t, "@dwmkerr/mock-llm is not installed")
	}

	port := freePort(t)
	cmd := exec.Command(node, main)
	cmd.Dir = t.TempDir() // no mock-llm.yaml there: the default echo rules apply
	cmd.Env = append(os.Environ(), "HOST=127.0.0.1", fmt.Sprintf("PORT=%d", port))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start mock-llm: %v", err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})

	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(base + "/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-exited:
			t.Fatalf("mock-llm exited: %v\n%s", err, out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("mock-llm did not answer on %s within 20s\n%s", base, out.String())
		}
		time.Sleep(100 * time.Millisecond)
	}

	a, err := New(Config{BaseURL: base + "/v1", Model: "mock", APIKeyEnv: "MOCK_LLM_KEY", Timeout: 10 * time.Second}, testKB(),
		WithGetenv(func(string) string { return "unused-by-mock" }))
	if err != nil {
		t.Fatal(err)
	}
	ans, err := a.Ask(context.Background(), Question{AskerID: "u1", GroupID: "g1", CadreID: "c1",
		Text: "我的手机13812345678，入团的申请条件是什么？"})
	if err != nil && !errors.Is(err, context.Canceled) {
		t.Fatal(err)
	}
	if ans.Handoff {
		t.Fatalf("handed off (%s: %s)\n%s", ans.Reason, ans.Detail, out.String())
	}
	// The mock echoes the last user message, the question as the model received it.
	for _, want := range []string{"问题：我的手机" + PhoneMask + "，入团的申请条件是什么？", "来源：《入团指南 · 申请条件》"} {
		if !strings.Contains(ans.Text, want) {
			t.Fatalf("answer lacks %q:\n%s", want, ans.Text)
		}
	}
	if strings.Contains(ans.Text, "13812345678") {
		t.Fatalf("the phone number reached the model:\n%s", ans.Text)
	}
	// mock-llm reports no usage, so the tokens are estimated.
	if !ans.Estimated || ans.PromptTokens <= 0 || ans.CompletionTokens <= 0 {
		t.Fatalf("tokens %d+%d estimated=%v, want positive estimates", ans.PromptTokens, ans.CompletionTokens, ans.Estimated)
	}
}
