package schedules

import (
	"fmt"
	"strings"
	"time"

	"github.com/robfig/cron/v3"
)

// Config is the `schedules` section of config.yaml. See schedules.example.yaml for every key.
type Config struct {
	Enabled    bool          `yaml:"enabled"`     // run the scheduler in `youthlink run`
	QuietHours QuietHours    `yaml:"quiet_hours"` // no sends in this window; a due send waits for its end
	CatchUp    time.Duration `yaml:"catch_up"`    // a run missed while down is still sent this long after it was due
	Retry      Retry         `yaml:"retry"`
	Digest     DigestConfig  `yaml:"digest"`
	Reminders  Reminders     `yaml:"reminders"`
	Committees []Committee   `yaml:"committees"` // who gets digests and quarter-end reports, and where
}

// QuietHours is a daily window "HH:MM"–"HH:MM" (it may wrap midnight); both empty: none.
type QuietHours struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

// Retry says how failed deliveries are retried: Backoff doubles after each attempt, up to an hour.
type Retry struct {
	Attempts int           `yaml:"attempts"`
	Backoff  time.Duration `yaml:"backoff"`
}

// DigestConfig configures the weekly digest.
type DigestConfig struct {
	Cron     string `yaml:"cron"`     // when it is sent (5 cron fields, Asia/Shanghai); it covers the last full week
	TopN     int    `yaml:"top"`      // topics, keywords, questions listed
	Overview bool   `yaml:"overview"` // let the LLM (if configured) write the opening paragraph
}

// Reminders configures the quarterly "five ones" reminders to cadres.
type Reminders struct {
	Enabled       bool     `yaml:"enabled"`
	At            string   `yaml:"at"`              // time of day "HH:MM" they are sent
	Plan          bool     `yaml:"plan"`            // at quarter start: the quarter's plan
	Progress      bool     `yaml:"progress"`        // at mid quarter: each cadre's progress
	DaysBeforeEnd int      `yaml:"days_before_end"` // this many days before quarter end: to cadres with items behind (0: off)
	EndReport     bool     `yaml:"end_report"`      // after quarter end: to each committee, its cadres still behind
	Platforms     []string `yaml:"platforms"`       // where to look for a cadre's bound chat account, in order
}

// Committee names a committee and where its digests and reports go.
type Committee struct {
	Name         string        `yaml:"name"`
	Digest       *bool         `yaml:"digest"`     // default true
	EndReport    *bool         `yaml:"end_report"` // default true
	Destinations []Destination `yaml:"destinations"`
}

// Destination is one place a committee's messages go.
type Destination struct {
	// Type is chat (a group or private chat on a bot platform, through the outbox), wecom,
	// dingtalk, feishu (group robots) or dir (files in a directory).
	Type string `yaml:"type"`
	// chat
	Platform string `yaml:"platform"` // wechat, qq, console
	Account  string `yaml:"account"`  // which bot account sends ("" any)
	Chat     string `yaml:"chat"`     // the chat id: QQ group number, WeChat group name
	Private  bool   `yaml:"private"`  // a private chat rather than a group
	MaxBytes int    `yaml:"max_bytes"`
	// wecom, dingtalk, feishu
	KeyEnv    string `yaml:"key_env"`    // environment variable holding the robot key / access token
	SecretEnv string `yaml:"secret_env"` // environment variable holding the signing secret ("" unsigned)
	BaseURL   string `yaml:"base_url"`   // "" the platform's public host
	// dir
	Path   string `yaml:"path"`   // the directory
	Format string `yaml:"format"` // html (default), markdown, text or json
}

// DefaultConfig is used for keys the file leaves out.
func DefaultConfig() Config {
	return Config{
		Enabled:    true,
		QuietHours: QuietHours{From: "22:00", To: "08:00"},
		CatchUp:    12 * time.Hour,
		Retry:      Retry{Attempts: 5, Backoff: time.Minute},
		Digest:     DigestConfig{Cron: "0 9 * * 1", TopN: 5},
		Reminders: Reminders{Enabled: true, At: "09:00", Plan: true, Progress: true, DaysBeforeEnd: 14, EndReport: true,
			Platforms: []string{"wechat", "qq"}},
	}
}

// Validate names the first problem; config.Decode calls it.
func (c *Config) Validate() error {
	if _, _, err := c.QuietHours.minutes(); err != nil {
		return err
	}
	if c.CatchUp < 0 {
		return fmt.Errorf("catch_up 不能是负数")
	}
	if c.Retry.Attempts < 1 {
		return fmt.Errorf("retry.attempts 至少为 1")
	}
	if c.Retry.Backoff < time.Second {
		return fmt.Errorf("retry.backoff 至少 1s（例如 1m）")
	}
	if _, err := cron.ParseStandard(c.Digest.Cron); err != nil {
		return cronError(c.Digest.Cron, err)
	}
	if c.Digest.TopN < 1 {
		return fmt.Errorf("digest.top 至少为 1")
	}
	if _, err := clock(c.Reminders.At); err != nil {
		return fmt.Errorf("reminders.at：%w", err)
	}
	if c.Reminders.DaysBeforeEnd < 0 || c.Reminders.DaysBeforeEnd > 80 {
		return fmt.Errorf("reminders.days_before_end 应在 0 到 80 之间")
	}
	for _, p := range c.Reminders.Platforms {
		if !platforms[p] {
			return fmt.Errorf("reminders.platforms：「%s」不认识，可选 wechat、qq、console", p)
		}
	}
	seen := map[string]bool{}
	for i, cm := range c.Committees {
		key := fmt.Sprintf("committees[%d]", i)
		if strings.TrimSpace(cm.Name) == "" {
			return fmt.Errorf("%s.name 不能为空", key)
		}
		if seen[cm.Name] {
			return fmt.Errorf("%s.name「%s」重复了", key, cm.Name)
		}
		seen[cm.Name] = true
		dests := map[string]bool{}
		for j, d := range cm.Destinations {
			dk := fmt.Sprintf("%s.destinations[%d]", key, j)
			if err := d.validate(); err != nil {
				return fmt.Errorf("%s.%w", dk, err)
			}
			if dests[d.Key()] {
				return fmt.Errorf("%s 与前面的去处重复", dk)
			}
			dests[d.Key()] = true
		}
	}
	return nil
}

var platforms = map[string]bool{"wechat": true, "qq": true, "console": true}

func (d Destination) validate() error {
	switch d.Type {
	case "chat":
		if !platforms[d.Platform] {
			return fmt.Errorf("platform「%s」不认识，可选 wechat、qq、console", d.Platform)
		}
		if strings.TrimSpace(d.Chat) == "" {
			return fmt.Errorf("chat 不能为空（QQ 群号或微信群名）")
		}
		if d.MaxBytes < 0 {
			return fmt.Errorf("max_bytes 不能是负数")
		}
	case "wecom", "dingtalk", "feishu":
		if !envName(d.KeyEnv) {
			return fmt.Errorf("key_env 应是环境变量名（例如 YOUTHLINK_WECOM_KEY），不要把密钥本身写进配置")
		}
		if d.SecretEnv != "" && !envName(d.SecretEnv) {
			return fmt.Errorf("secret_env 应是环境变量名，不要把密钥本身写进配置")
		}
		if d.Type == "wecom" && d.SecretEnv != "" {
			return fmt.Errorf("secret_env：企业微信群机器人没有签名密钥")
		}
		if d.BaseURL != "" && !strings.HasPrefix(d.BaseURL, "http://") && !strings.HasPrefix(d.BaseURL, "https://") {
			return fmt.Errorf("base_url 应以 http:// 或 https:// 开头")
		}
	case "dir":
		if strings.TrimSpace(d.Path) == "" {
			return fmt.Errorf("path 不能为空")
		}
		switch d.Format {
		case "", "html", "markdown", "text", "json":
		default:
			return fmt.Errorf("format「%s」不认识，可选 html、markdown、text、json", d.Format)
		}
	default:
		return fmt.Errorf("type「%s」不认识，可选 chat、wecom、dingtalk、feishu、dir", d.Type)
	}
	return nil
}

// envName reports whether s looks like an environment variable name (upper case, digits, _):
// a key pasted in by mistake is refused.
func envName(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Key names a destination in job_runs: stable, and free of secrets (it names the variable).
func (d Destination) Key() string {
	switch d.Type {
	case "chat":
		kind := "group"
		if d.Private {
			kind = "private"
		}
		return "chat:" + d.Platform + ":" + d.Account + ":" + kind + ":" + d.Chat
	case "dir":
		return "dir:" + d.Path
	}
	return d.Type + ":" + d.KeyEnv
}

// clock reads "HH:MM" as minutes after midnight.
func clock(s string) (int, error) {
	t, err := time.Parse("15:04", s)
	if err != nil {
		return 0, fmt.Errorf("时间「%s」格式不对，应为 08:00 这样", s)
	}
	return t.Hour()*60 + t.Minute(), nil
}

func (q QuietHours) minutes() (from, to int, err error) {
	if q.From == "" && q.To == "" {
		return 0, 0, nil
	}
	if from, err = clock(q.From); err != nil {
		return 0, 0, fmt.Errorf("quiet_hours.from：%w", err)
	}
	if to, err = clock(q.To); err != nil {
		return 0, 0, fmt.Errorf("quiet_hours.to：%w", err)
	}
	return from, to, nil
}
