package main

import (
	"strings"
	"testing"

	"youthlink/bot/onebot"
	"youthlink/bot/wechat"
	"youthlink/config"
	"youthlink/llm"
	"youthlink/schedules"
	"youthlink/web"
)

// TestShippedConfig checks that config.yaml as shipped is valid in every section, runs WeChat by
// default, and that an unknown key anywhere is refused with its name.
func TestShippedConfig(t *testing.T) {
	cfg, err := config.Load("config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	wc := wechat.DefaultConfig()
	var oc onebot.Config
	lc := llm.Config{}.WithDefaults()
	sc := schedules.DefaultConfig()
	webc := web.DefaultConfig()
	for _, s := range []struct {
		key string
		err error
	}{
		{"platforms.wechat", cfg.Decode("platforms.wechat", &cfg.Platforms.WeChat, &wc)},
		{"platforms.onebot", cfg.Decode("platforms.onebot", &cfg.Platforms.OneBot, &oc)},
		{"llm", cfg.Decode("llm", &cfg.LLM, &lc)},
		{"schedules", cfg.Decode("schedules", &cfg.Schedules, &sc)},
		{"web", cfg.Decode("web", &cfg.Web, &webc)},
	} {
		if s.err != nil {
			t.Errorf("%s: %v", s.key, s.err)
		}
	}
	if !wc.Enabled {
		t.Error("WeChat is not enabled in the shipped config")
	}
	if webc != web.DefaultConfig() {
		t.Errorf("web section %+v differs from the defaults %+v", webc, web.DefaultConfig())
	}
}

func TestConfigErrorsNameTheKey(t *testing.T) {
	tests := []struct{ yaml, want string }{
		{"cadres:\n  - {name: 甲, committee: 无此团委, kind: full_time}\n", "cadres[0]（甲）.committee：团委「无此团委」不在 committees 里"},
		{"committees:\n  - {name: 甲}\ncadres:\n  - {name: 乙, committee: 甲, kind: boss}\n", "cadres[0]（乙）.kind"},
		{"log:\n  level: loud\n", "log.level"},
		{"bot:\n  nmae: x\n", "nmae"},
		{"points:\n  weights: {hug: 1}\n", "points.weights.hug"},
		{"plans:\n  default:\n    - {name: 甲, counts: likes, min: 1}\n", "plans.default[0]"},
		{"storage:\n  driver: mysql\n", "storage.driver"},
		{"storage:\n  driver: postgres\n  dsn_env: \"\"\n", "storage.dsn_env"},
		{"privacy:\n  retention_days: -1\n", "privacy.retention_days"},
	}
	for _, tt := range tests {
		_, err := config.Parse("config.yaml", []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "config.yaml") {
			t.Errorf("Parse(%q) = %v, want an error naming %s", tt.yaml, err, tt.want)
		}
	}
	bad, err := config.Parse("config.yaml", []byte("web:\n  adress: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	webc := web.DefaultConfig()
	if err := bad.Decode("web", &bad.Web, &webc); err == nil || !strings.Contains(err.Error(), "adress") {
		t.Fatalf("unknown web key: %v", err)
	}
}
