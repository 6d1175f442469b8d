// Package config reads config.yaml: every key documented in the shipped file, unknown keys
// refused, and each problem reported with the file, the key and what is wrong, in Chinese.
// Secrets are never in the file: it names the environment variables that hold them.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"youthlink/counting"
	"youthlink/record"
)

// Config is the whole configuration.
type Config struct {
	DataDir    string                       `yaml:"data_dir"`
	Storage    Storage                      `yaml:"storage"`
	Log        Log                          `yaml:"log"`
	Committees []Committee                  `yaml:"committees"`
	Cadres     []Cadre                      `yaml:"cadres"`
	Accounts   []Account                    `yaml:"accounts"`
	Points     Points                       `yaml:"points"`
	Ranking    Ranking                      `yaml:"ranking"`
	Plans      map[string][]record.PlanItem `yaml:"plans"`
	Topics     Topics                       `yaml:"topics"`
	Bot        Bot                          `yaml:"bot"`
	Platforms  Platforms                    `yaml:"platforms"`
	Knowledge  Knowledge                    `yaml:"knowledge"`
	Privacy    Privacy                      `yaml:"privacy"`
	LLM        yaml.Node                    `yaml:"llm"`
	Schedules  yaml.Node                    `yaml:"schedules"`
	Web        yaml.Node                    `yaml:"web"`

	path string
}

// Storage says where records are kept.
type Storage struct {
	Driver string `yaml:"driver"`  // sqlite (embedded, one process) or postgres (shared by several processes)
	Path   string `yaml:"path"`    // the SQLite file; relative paths are under data_dir's parent
	DSNEnv string `yaml:"dsn_env"` // postgres: the environment variable holding the connection string
}

// PostgresDSN reads the PostgreSQL connection string from the environment variable the
// configuration names, with a Chinese error naming the key and the variable when it is empty.
func (c *Config) PostgresDSN() (string, error) {
	dsn := strings.TrimSpace(os.Getenv(c.Storage.DSNEnv))
	if dsn == "" {
		return "", &Error{File: c.path, Key: "storage.dsn_env", Problem: fmt.Sprintf(
			"storage.driver 为 postgres，但环境变量 %s 没有设置（应为 PostgreSQL 连接串，如 postgres://用户:密码@主机:5432/库名）", c.Storage.DSNEnv)}
	}
	return dsn, nil
}

// Log configures logging.
type Log struct {
	Level       string `yaml:"level"`        // debug, info, warn, error
	MessageText bool   `yaml:"message_text"` // log message text (off: youths may be minors)
}

// Committee is one node of the committee tree.
type Committee struct {
	Name   string `yaml:"name"`
	Parent string `yaml:"parent"`
	Level  string `yaml:"level"`
}

// Cadre is a cadre on the roster.
type Cadre struct {
	Name      string `yaml:"name"`
	Committee string `yaml:"committee"`
	Kind      string `yaml:"kind"`
	Target    int    `yaml:"target"` // 0: by kind (100, or 10 for part_time)
}

// Account marks a bot account as a cadre's own (private chats with it are contact).
type Account struct {
	Platform string `yaml:"platform"`
	Account  string `yaml:"account"`
	Cadre    string `yaml:"cadre"`
}

// Points are the weights and daily caps per interaction kind.
type Points struct {
	Weights  map[string]int `yaml:"weights"`
	DailyCap map[string]int `yaml:"daily_cap"`
}

// Ranking configures the honor roll and the needs-effort list.
type Ranking struct {
	HonorSize     int `yaml:"honor_size"`
	NeedsCoverage int `yaml:"needs_coverage"` // percent of target expected by quarter end
	LastDays      int `yaml:"last_days"`
}

// Topics configures topic counting.
type Topics struct {
	Taxonomy map[string][]string `yaml:"taxonomy"` // topic → keywords; empty: the built-in one
	Keywords bool                `yaml:"keywords"` // segment text for top keywords (gse)
}

// Knowledge is the folder of Markdown/TXT files (policies, FAQ) the Q&A answers from.
type Knowledge struct {
	Dir string `yaml:"dir"` // empty or missing folder: no knowledge base
}

// Privacy configures how long youths' words are kept.
type Privacy struct {
	// RetentionDays: message text older than this many days is deleted (counts stay); 0 keeps it.
	RetentionDays int `yaml:"retention_days"`
}

// Bot configures chat behaviour.
type Bot struct {
	Name           string        `yaml:"name"`            // how the bot calls itself
	Intro          bool          `yaml:"intro"`           // introduce itself in a new group
	BindCodeTTL    time.Duration `yaml:"bind_code_ttl"`   // how long a /绑定 code stays valid
	HandlerTimeout time.Duration `yaml:"handler_timeout"` // per command
}

// Platforms holds each platform's section; each adapter decodes and validates its own.
type Platforms struct {
	WeChat  yaml.Node `yaml:"wechat"`
	OneBot  yaml.Node `yaml:"onebot"`
	Console yaml.Node `yaml:"console"`
}

// Error is a configuration problem: file, line (0 when not known), key and what is wrong.
type Error struct {
	File, Key, Problem string
	Line               int
}

func (e *Error) Error() string {
	s := "配置文件 " + e.File + "："
	if e.Line > 0 {
		s += fmt.Sprintf("第 %d 行 ", e.Line)
	}
	if e.Key != "" {
		s += e.Key + "："
	}
	return s + e.Problem
}

// Default is the configuration used for keys the file leaves out.
func Default() *Config {
	w := counting.DefaultWeights()
	c := &Config{
		DataDir: "data",
		Storage: Storage{Driver: "sqlite", Path: "data/youthlink.db", DSNEnv: "YOUTHLINK_PG_DSN"},
		Log:     Log{Level: "info"},
		Points:  Points{Weights: map[string]int{}, DailyCap: map[string]int{}},
		Ranking: Ranking{HonorSize: 10, NeedsCoverage: 60, LastDays: 30},
		Topics:  Topics{Keywords: true},
		Privacy: Privacy{RetentionDays: 180},
		Bot:     Bot{Name: "青联小助手", Intro: true, BindCodeTTL: 72 * time.Hour, HandlerTimeout: 30 * time.Second},
	}
	for k, v := range w.Per {
		c.Points.Weights[string(k)] = v
	}
	for k, v := range w.Cap {
		c.Points.DailyCap[string(k)] = v
	}
	return c
}

// Load reads and validates a configuration file.
func Load(path string) (*Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, &Error{File: path, Problem: "文件不存在（可以复制仓库里的 config.yaml 作为起点）"}
		}
		return nil, &Error{File: path, Problem: "读不出来：" + err.Error()}
	}
	return Parse(path, b)
}

// Parse reads a configuration from bytes; name is used in error messages.
func Parse(name string, b []byte) (*Config, error) {
	c := Default()
	c.path = name
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && !errors.Is(err, io.EOF) {
		return nil, decodeError(name, "", b, err, nil, c)
	}
	if err := c.Validate(); err != nil {
		return nil, err
	}
	return c, nil
}

// decodeError turns a yaml.v3 error decoding src into Chinese: see typeErrors for the arguments;
// orig nil stands for src itself (a whole file). The tree typeErrors locates keys in is parsed
// here, on the way out: a configuration that decodes never pays for it.
func decodeError(file, prefix string, src []byte, err error, orig *yaml.Node, v any) error {
	var te *yaml.TypeError
	if !errors.As(err, &te) {
		return syntaxError(file, src, err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(src, &doc); err != nil { // it decoded, so it parses
		return syntaxError(file, src, err)
	}
	if orig == nil {
		orig = &doc
	}
	return typeErrors(file, prefix, te, &doc, orig, v)
}

// Path is the file the configuration came from.
func (c *Config) Path() string { return c.path }

// Validate checks every key and returns the first problem found.
func (c *Config) Validate() error {
	bad := func(key, format string, a ...any) error {
		return &Error{File: c.path, Key: key, Problem: fmt.Sprintf(format, a...)}
	}
	switch c.Storage.Driver {
	case "sqlite":
		if strings.TrimSpace(c.Storage.Path) == "" {
			return bad("storage.path", "不能为空")
		}
	case "postgres":
		if strings.TrimSpace(c.Storage.DSNEnv) == "" {
			return bad("storage.dsn_env", "driver 为 postgres 时不能为空：写上存放连接串的环境变量名，如 YOUTHLINK_PG_DSN")
		}
	default:
		return bad("storage.driver", "「%s」不支持，可选 sqlite、postgres", c.Storage.Driver)
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "「%s」不认识，可选 debug、info、warn、error", c.Log.Level)
	}
	committees := map[string]bool{}
	for i, cm := range c.Committees {
		key := fmt.Sprintf("committees[%d]", i)
		if strings.TrimSpace(cm.Name) == "" {
			return bad(key+".name", "不能为空")
		}
		if committees[cm.Name] {
			return bad(key+".name", "「%s」重复了", cm.Name)
		}
		if cm.Parent != "" && !committees[cm.Parent] {
			return bad(key+".parent", "上级团委「%s」没有在它之前列出", cm.Parent)
		}
		committees[cm.Name] = true
	}
	cadres := map[string]bool{}
	for i, cd := range c.Cadres {
		key := fmt.Sprintf("cadres[%d]", i)
		if strings.TrimSpace(cd.Name) == "" {
			return bad(key+".name", "不能为空")
		}
		if cadres[cd.Name] {
			return bad(key+".name", "「%s」重复了", cd.Name)
		}
		cadres[cd.Name] = true
		key += "（" + cd.Name + "）"
		if strings.TrimSpace(cd.Committee) == "" {
			return bad(key+".committee", "没有填写所属团委（应为 committees 里的一个 name）")
		}
		if !committees[cd.Committee] {
			return bad(key+".committee", "团委「%s」不在 committees 里", cd.Committee)
		}
		if _, ok := CadreKinds[cd.Kind]; !ok {
			what := "「" + cd.Kind + "」不认识"
			if cd.Kind == "" {
				what = "没有填写类别"
			}
			return bad(key+".kind", "%s，可选 full_time（专职）、seconded（挂职）、leader_part_time（领导机关兼职）、part_time（兼职）", what)
		}
		if cd.Target < 0 {
			return bad(key+".target", "不能是负数（0 表示按类别：100 或 10）")
		}
	}
	for i, a := range c.Accounts {
		key := fmt.Sprintf("accounts[%d]", i)
		if a.Platform != "wechat" && a.Platform != "qq" && a.Platform != "console" {
			return bad(key+".platform", "「%s」不认识，可选 wechat、qq、console", a.Platform)
		}
		if a.Account == "" {
			return bad(key+".account", "不能为空")
		}
		if !cadres[a.Cadre] {
			return bad(key+".cadre", "团干部「%s」不在 cadres 里", a.Cadre)
		}
	}
	kinds := map[string]bool{}
	for _, k := range counting.Kinds {
		kinds[string(k)] = true
	}
	for k, v := range c.Points.Weights {
		if !kinds[k] {
			return bad("points.weights."+k, "互动类别不认识，可选 mention、reply、private、answer、activity、face_to_face")
		}
		if v < 0 {
			return bad("points.weights."+k, "不能是负数")
		}
	}
	for k, v := range c.Points.DailyCap {
		if !kinds[k] {
			return bad("points.daily_cap."+k, "互动类别不认识，可选 mention、reply、private、answer、activity、face_to_face")
		}
		if v < 0 {
			return bad("points.daily_cap."+k, "不能是负数（0 表示不封顶）")
		}
	}
	if c.Ranking.HonorSize <= 0 {
		return bad("ranking.honor_size", "必须大于 0")
	}
	if c.Ranking.NeedsCoverage < 0 || c.Ranking.NeedsCoverage > 100 {
		return bad("ranking.needs_coverage", "应在 0 到 100 之间（百分比）")
	}
	if c.Ranking.LastDays < 0 || c.Ranking.LastDays > 92 {
		return bad("ranking.last_days", "应在 0 到 92 之间（天）")
	}
	for name, items := range c.Plans {
		if name != "default" && !committees[name] {
			return bad("plans."+name, "团委「%s」不在 committees 里（全局计划请用 default）", name)
		}
		for i, it := range items {
			if err := it.Validate(); err != nil {
				return bad(fmt.Sprintf("plans.%s[%d]", name, i), "%s", err.Error())
			}
		}
	}
	for t, kws := range c.Topics.Taxonomy {
		if strings.TrimSpace(t) == "" {
			return bad("topics.taxonomy", "话题名不能为空")
		}
		if len(kws) == 0 {
			return bad("topics.taxonomy."+t, "至少要有一个关键词")
		}
	}
	if c.Privacy.RetentionDays < 0 {
		return bad("privacy.retention_days", "不能是负数（0 表示不删除）")
	}
	if c.Bot.BindCodeTTL < time.Minute {
		return bad("bot.bind_code_ttl", "至少 1m（例如 72h）")
	}
	if c.Bot.HandlerTimeout < time.Second {
		return bad("bot.handler_timeout", "至少 1s（例如 30s）")
	}
	return nil
}

// CadreKinds maps each cadre kind to its Chinese name.
var CadreKinds = map[string]string{
	"full_time":        "专职",
	"seconded":         "挂职",
	"leader_part_time": "领导机关兼职",
	"part_time":        "兼职",
}

// TargetFor is a cadre's target: the configured one, else 100, or 10 for other part-time cadres.
func TargetFor(kind string, target int) int {
	if target > 0 {
		return target
	}
	if kind == "part_time" {
		return 10
	}
	return 100
}

// Policy builds the record policy the configuration describes.
func (c *Config) Policy() record.Policy {
	p := record.DefaultPolicy()
	for k, v := range c.Points.Weights {
		p.Weights.Per[counting.Kind(k)] = v
	}
	for k, v := range c.Points.DailyCap {
		p.Weights.Cap[counting.Kind(k)] = v
	}
	p.HonorSize = c.Ranking.HonorSize
	p.NeedsCoverage = float64(c.Ranking.NeedsCoverage) / 100
	p.LastDays = c.Ranking.LastDays
	p.Plans = map[string][]record.PlanItem{}
	for name, items := range c.Plans {
		if name == "default" {
			p.Default = items
			continue
		}
		p.Plans[name] = items
	}
	return p
}

// Decode decodes a section kept as a raw node (a platform, llm, schedules, web) into v,
// refusing unknown keys; key names the section in errors. An absent section leaves v as is.
func (c *Config) Decode(key string, n *yaml.Node, v any) error {
	if n == nil || n.Kind == 0 {
		return nil
	}
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	if err := enc.Encode(n); err != nil {
		return &Error{File: c.path, Key: key, Problem: err.Error()}
	}
	// Re-encoding loses the file's lines: errors are located in the copy, then in n by key path.
	src := buf.Bytes()
	dec := yaml.NewDecoder(bytes.NewReader(src))
	dec.KnownFields(true)
	if err := dec.Decode(v); err != nil {
		return decodeError(c.path, key, src, err, n, v)
	}
	if vv, ok := v.(interface{ Validate() error }); ok {
		if err := vv.Validate(); err != nil {
			return validateError(c.path, key, n, err)
		}
	}
	return nil
}
