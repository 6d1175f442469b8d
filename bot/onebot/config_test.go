package onebot

import (
	"strings"
	"testing"
	"time"
)

func TestValidate(t *testing.T) {
	ok := Conn{Mode: ModeReverseWS, Listen: "127.0.0.1:8080"}
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // substring of the error; "" for valid
	}{
		{"reverse ok", Config{Connections: []Conn{ok}}, ""},
		{"all modes ok", Config{Connections: []Conn{ok,
			{Mode: ModeForwardWS, URL: "ws://127.0.0.1:6700", Split: true},
			{Mode: ModeHTTP, Listen: "127.0.0.1:8081", URL: "http://127.0.0.1:5700", Secret: "s", Groups: []string{"555"}}}}, ""},
		{"none", Config{}, "platforms.onebot.connections: 至少"},
		{"no mode", Config{Connections: []Conn{{Listen: ":1"}}}, "connections[0].mode: 未填写"},
		{"bad mode", Config{Connections: []Conn{{Mode: "websocket"}}}, `connections[0].mode: 未知模式 "websocket"`},
		{"reverse no listen", Config{Connections: []Conn{{Mode: ModeReverseWS}}}, "connections[0].listen"},
		{"forward http url", Config{Connections: []Conn{ok, {Mode: ModeForwardWS, URL: "http://x:1"}}}, "connections[1].url"},
		{"forward no url", Config{Connections: []Conn{{Mode: ModeForwardWS}}}, "connections[0].url: 未填写"},
		{"http no url", Config{Connections: []Conn{{Mode: ModeHTTP, Listen: ":1"}}}, "connections[0].url"},
		{"secret on ws", Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: ":1", Secret: "s"}}}, "secret_env"},
		{"bad group", Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: ":1", Groups: []string{"青年群"}}}}, "connections[0].groups[0]"},
		{"dup name", Config{Connections: []Conn{{Name: "a", Mode: ModeReverseWS, Listen: ":1"}, {Name: "a", Mode: ModeReverseWS, Listen: ":2"}}}, "connections[1].name"},
		{"negative rate", Config{Connections: []Conn{{Mode: ModeReverseWS, Listen: ":1", SendPerMinute: -1}}}, "send_per_minute"},
		{"retry order", Config{Connections: []Conn{{Mode: ModeForwardWS, URL: "ws://h", RetryMin: time.Minute, RetryMax: time.Second}}}, "retry_min"},
		{"negative interval", Config{RosterInterval: -time.Hour, Connections: []Conn{ok}}, "roster_interval"},
	} {
		err := tc.cfg.Validate()
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", tc.name, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s: error %v, want one containing %q", tc.name, err, tc.want)
		}
	}
}

func TestResolve(t *testing.T) {
	env := map[string]string{"QQ_TOKEN": "t0k", "QQ_SECRET": "s3c", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	cfg := Config{Connections: []Conn{{TokenEnv: "QQ_TOKEN", SecretEnv: "QQ_SECRET"}, {}}}
	if err := cfg.Resolve(lookup); err != nil {
		t.Fatal(err)
	}
	if got, want := cfg.Connections[0].Token+"/"+cfg.Connections[0].Secret, "t0k/s3c"; got != want {
		t.Fatalf("resolved %q, want %q", got, want)
	}
	if got, want := cfg.Connections[1].Token, ""; got != want {
		t.Fatalf("no env named, token %q, want empty", got)
	}
	for _, name := range []string{"MISSING", "EMPTY"} {
		bad := Config{Connections: []Conn{{TokenEnv: name}}}
		if err := bad.Resolve(lookup); err == nil || !strings.Contains(err.Error(), "connections[0].token_env") {
			t.Fatalf("env %s: error %v, want one naming token_env", name, err)
		}
	}
}
