package config

import (
	"errors"
	"strings"
	"testing"
)

// FuzzParse feeds config.Parse arbitrary bytes: it never panics; a refusal is a *Error naming the
// file; an accepted configuration passes Validate again and keeps its name.
func FuzzParse(f *testing.F) {
	// Small seeds: the shipped config.yaml (9 KB) makes each minimization take most of a run.
	f.Add([]byte("committees:\n  - {name: 省团委}\ncadres:\n  - {name: 团干部0, committee: 省团委, kind: full_time}\n"))
	f.Add([]byte("cadres:\n  - {name: 王, committee: 无此团委, kind: part_time, target: -1}\n"))
	f.Add([]byte("bot: {bind_code_ttl: 10x}\nprivacy: {retention_days: -3}\n"))
	f.Add([]byte("points:\n  weights: {mention: 1}\n  daily_cap: {mention: 5}\nranking: {honor_size: 10}\nplans:\n  default:\n    - {name: 主题团课, kind: offline, min: 1}\n"))
	f.Add([]byte("topics: {taxonomy: {就业: [实习, 简历]}, keywords: true}\nlog: {level: verbose}\nllm: {model: x}\n"))
	f.Add([]byte("committees: [{name: a, parent: a}]\n"))
	f.Add([]byte("&a [*a, *a]\n"))
	f.Add([]byte("\xff\xfe\x00"))
	f.Add([]byte(""))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Parse("fuzz.yaml", b)
		if err != nil {
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error is %T, not *config.Error: %v", err, err)
			}
			if !strings.Contains(err.Error(), "fuzz.yaml") {
				t.Fatalf("error does not name the file: %v", err)
			}
			return
		}
		if c.Path() != "fuzz.yaml" {
			t.Fatalf("path = %q", c.Path())
		}
		if err := c.Validate(); err != nil {
			t.Fatalf("accepted config fails Validate: %v", err)
		}
	})
}
