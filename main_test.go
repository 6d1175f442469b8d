package main

import (
	"strings"
	"testing"
)

// TestFlagErrorsAndHelp pins that flag errors are said in Chinese on stderr with exit 2, and that
// help asked for with -h goes to stdout with exit 0 and Chinese defaults.
func TestFlagErrorsAndHelp(t *testing.T) {
	tests := []struct {
		name     string
		args     []string
		code     int
		out, err string // wanted in stdout, stderr ("" : that stream must be empty)
	}{
		{"unknown flag", []string{"stats", "-bogus"}, 2, "", "不认识的参数 -bogus，用 youthlink stats -h 查看"},
		{"missing value", []string{"record", "-cadre"}, 2, "", "参数 -cadre 后面缺少值，用 youthlink record -h 查看"},
		{"bad int", []string{"stats", "-top", "x"}, 2, "", "参数 -top 要一个整数，收到「x」"},
		{"bad bool", []string{"stats", "-json=3"}, 2, "", "参数 -json 只能是 true 或 false，收到「3」"},
		{"extra args", []string{"stats", "a", "b"}, 2, "", "多余的参数：a b，用 youthlink stats -h 查看"},
		{"import unknown flag", []string{"import", "-x"}, 2, "", "不认识的参数 -x，用 youthlink import -h 查看"},
		{"roster import unknown flag", []string{"roster", "import", "-x"}, 2, "", "不认识的参数 -x，用 youthlink roster import -h 查看"},
		{"verb help", []string{"stats", "-h"}, 0, "（默认 20）", ""},
		{"verb help string default", []string{"record", "-h"}, 0, "（默认 text）", ""},
		{"import help", []string{"import", "-h"}, 0, "youthlink import ——", ""},
		{"roster help", []string{"roster", "-h"}, 0, "youthlink roster ——", ""},
		{"roster import help", []string{"roster", "import", "-h"}, 0, "youthlink roster import ——", ""},
		{"top help", []string{"-h"}, 0, "用法：youthlink 命令", ""},
		{"top help word", []string{"help"}, 0, "用法：youthlink 命令", ""},
		{"no verb", nil, 2, "", "用法：youthlink 命令"},
		{"unknown verb", []string{"nope"}, 2, "", "没有「nope」这个命令"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runVerb(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d (stderr %q)", code, tt.code, errs)
			}
			for _, s := range []struct {
				name, got, want string
			}{{"stdout", out, tt.out}, {"stderr", errs, tt.err}} {
				if s.want == "" && s.got != "" || !strings.Contains(s.got, s.want) {
					t.Errorf("%s %q, want %q", s.name, s.got, s.want)
				}
				for _, english := range []string{"flag provided", "(default", "Usage of", "flag needs", "invalid value"} {
					if strings.Contains(s.got, english) {
						t.Errorf("%s has Go's English %q: %q", s.name, english, s.got)
					}
				}
			}
		})
	}
}

// TestTopHelpListsStoreFlags pins that the top-level help shows [-config F] [-db F] for every
// verb whose own flags include them.
func TestTopHelpListsStoreFlags(t *testing.T) {
	for _, v := range verbs() {
		if v.name == "roster" {
			continue // its subcommands have their own help
		}
		code, out, errs := runVerb(t, v.name, "-h")
		if code != 0 {
			t.Fatalf("%s -h: exit %d, stderr %q", v.name, code, errs)
		}
		help := out + errs
		for _, f := range []string{"-config", "-db"} {
			if strings.Contains(help, "  "+f+" ") && !strings.Contains(v.args, "["+f+" F]") && !strings.Contains(v.args, f+" F") {
				t.Errorf("%s takes %s but the top-level help shows %q", v.name, f, v.args)
			}
		}
	}
}
