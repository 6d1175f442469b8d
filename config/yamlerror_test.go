package config

import (
	"errors"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// english lists fragments of yaml.v3's messages that must not reach the operator once translated.
var english = []string{"cannot unmarshal", "into", "not found in type", "did not find", "mapping values", "already", "yaml:", "config."}

func TestYAMLErrorsInChinese(t *testing.T) {
	tests := []struct{ name, yaml, want string }{
		{"wrong type", "data_dir: x\nranking:\n  honor_size: ten\n", "第 3 行 ranking.honor_size：应为整数，不能是「ten」"},
		{"long value", "privacy:\n  retention_days: abcdefghijklmn\n", "第 2 行 privacy.retention_days：应为整数，不能是「abcdefghijklmn」"},
		{"list for a duration", "bot:\n  bind_code_ttl: [1]\n", "第 2 行 bot.bind_code_ttl：应为时长（例如 30s、5m、72h），不能是列表"},
		{"bool", "bot:\n  intro: maybe\n", "第 2 行 bot.intro：应为 true 或 false，不能是「maybe」"},
		{"in a flow list", "cadres:\n  - {name: 甲, target: 多}\n", "第 2 行 cadres[0].target：应为整数，不能是「多」"},
		{"unknown key", "ranking:\n  honor_size: 3\n  honour_sise: 3\n", "第 3 行 ranking.honour_sise：不认识这个键（拼写错误？可用的键：honor_size, needs_coverage, last_days）"},
		{"unknown top key", "\n\nrankings: {}\n", "第 3 行 rankings：不认识这个键（拼写错误？可用的键：data_dir, storage,"},
		{"duplicate key", "log:\n  level: info\nlog:\n  level: warn\n", "第 3 行 log：键重复了，只能写一次（见第 1、3 行）"},
		{"duplicate through an alias key", "ranking:\n  &k honor_size: 1\n  *k : 2\n", "第 3 行 键重复了，只能写一次"},
		{"syntax", "data_dir: x\ncommittees: [a, b\n", "第 2 行 YAML 格式错误：从这一行开始的列表「[ ]」缺少逗号或右方括号"},
		{"syntax last line", "[1, 2", "第 1 行 YAML 格式错误：从这一行开始的列表「[ ]」缺少逗号或右方括号"},
		{"syntax key", "a: 1\nlog:\n  level: info\n format: x\n", "第 4 行 YAML 格式错误：这一行附近缩进没对齐"},
		{"syntax kept", "a: 1\nb: *x\n", "YAML 格式错误：引用了不存在的锚点"},
		{"syntax indent", "log:\n  level: info\n    x: 1\n", "第 3 行 YAML 格式错误：这里不能出现「键: 值」"},
		{"tab", "log:\n\tlevel: info\n", "YAML 格式错误：有不能出现在这里的字符（缩进只能用空格，不能用 Tab）"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("bad.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Parse(%q) = %v, want %q", tt.yaml, err, tt.want)
			}
			for _, en := range english {
				if strings.Contains(err.Error(), en) {
					t.Errorf("%v: English %q left", err, en)
				}
			}
		})
	}
}

// TestDecodeErrorLines checks that a section decoded later (a platform, llm, …) reports the
// line of the file, not of its re-encoded copy, and the whole key path.
func TestDecodeErrorLines(t *testing.T) {
	c, err := Parse("bad.yaml", []byte("data_dir: x\nplatforms:\n  onebot:\n    connections:\n\n      - mode: x\n        urll: 3\n        limit: ten\n"))
	if err != nil {
		t.Fatal(err)
	}
	var v struct {
		Connections []struct {
			Mode  string `yaml:"mode"`
			URL   string `yaml:"url"`
			Limit int    `yaml:"limit"`
		} `yaml:"connections"`
	}
	err = c.Decode("platforms.onebot", &c.Platforms.OneBot, &v)
	for _, want := range []string{
		"第 7 行 platforms.onebot.connections[0].urll：不认识这个键（拼写错误？可用的键：mode, url, limit）",
		"第 8 行 platforms.onebot.connections[0].limit：应为整数，不能是「ten」",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Decode = %v, want %q", err, want)
		}
	}
}

// section stands for a platform's, llm's or schedules' config: any keys, and a Validate error.
type section struct {
	Keys map[string]any `yaml:",inline"`
	err  string
}

func (s *section) Validate() error { return errors.New(s.err) }

// TestValidateErrorPathOnce checks that a section's own error prints the key path once, whether
// the section names it in full or relative to itself, with the line of that key.
func TestValidateErrorPathOnce(t *testing.T) {
	file := "data_dir: x\nplatforms:\n  onebot:\n    connections:\n      - {name: a}\n      - name: b\n        mode: x\nllm:\n  model: \"\"\nschedules:\n  digest:\n    cron: 0 25 * * 1\n"
	c, err := Parse("bad.yaml", []byte(file))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		key     string
		node    *yaml.Node
		err     string
		want    string
		notWant string
	}{
		{"platforms.onebot", &c.Platforms.OneBot, "platforms.onebot.connections[1].mode: 未知模式 \"x\"",
			"第 7 行 platforms.onebot.connections[1].mode：未知模式", "platforms.onebot：platforms.onebot"},
		{"platforms.onebot", &c.Platforms.OneBot, "platforms.onebot.connections[0].mode: 未填写",
			"第 5 行 platforms.onebot.connections[0].mode：未填写", "platforms.onebot："},
		{"llm", &c.LLM, "llm.model：不能为空\nllm.base_url：不对", "第 9 行 llm.model：不能为空", "llm：llm"},
		{"schedules", &c.Schedules, "digest.cron「0 25 * * 1」不是有效的 cron 表达式",
			"第 12 行 schedules.digest.cron：「0 25 * * 1」不是有效的", "schedules：digest"},
		{"schedules", &c.Schedules, "至少要有一个团委", "配置文件 bad.yaml：schedules：至少要有一个团委", "第"},
	}
	for _, tt := range tests {
		s := &section{err: tt.err}
		err := c.Decode(tt.key, tt.node, s)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), tt.notWant) {
			t.Errorf("Decode(%s) with %q = %v, want %q and not %q", tt.key, tt.err, err, tt.want, tt.notWant)
		}
	}
}
