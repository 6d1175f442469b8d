package config

import (
	"strings"
	"testing"
)

// TestCadreErrors checks that a cadre's errors name the cadre and say when a key is left out.
func TestCadreErrors(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"no committee", "cadres:\n  - {name: 王小明, kind: full_time}\n", "cadres[0]（王小明）.committee：没有填写所属团委"},
		{"blank committee", "committees: [{name: 甲}]\ncadres:\n  - {name: 王小明, committee: \" \", kind: full_time}\n", "cadres[0]（王小明）.committee：没有填写所属团委"},
		{"unknown committee", "committees: [{name: 甲}]\ncadres:\n  - {name: 王小明, committee: 乙, kind: full_time}\n", "cadres[0]（王小明）.committee：团委「乙」不在 committees 里"},
		{"bad kind", "committees: [{name: 甲}]\ncadres:\n  - {name: 甲1, committee: 甲, kind: seconded}\n  - {name: 王小明, committee: 甲, kind: boss}\n", "cadres[1]（王小明）.kind：「boss」不认识"},
		{"no kind", "committees: [{name: 甲}]\ncadres:\n  - {name: 王小明, committee: 甲}\n", "cadres[0]（王小明）.kind：没有填写类别，可选 full_time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "「」") {
				t.Fatalf("Parse(%q) = %v, want %q", tt.yaml, err, tt.want)
			}
		})
	}
}
