package main

import (
	"os"
	"testing"
	"youthlink/config"
	"youthlink/web"
)

func TestWebExampleYAML(t *testing.T) {
	b, err := os.ReadFile("web.example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Parse("web.example.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	wc := web.DefaultConfig()
	wc.Enabled = false
	if err := cfg.Decode("web", &cfg.Web, &wc); err != nil {
		t.Fatal(err)
	}
	if wc != web.DefaultConfig() {
		t.Fatalf("example %+v differs from the defaults %+v", wc, web.DefaultConfig())
	}
	bad, _ := config.Parse("x", []byte("web:\n  adress: 1\n"))
	if err := bad.Decode("web", &bad.Web, &wc); err == nil {
		t.Fatal("unknown key accepted")
	}
}
