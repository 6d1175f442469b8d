package wechat

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"time"
)

// Config is the `platforms.wechat` section of config.yaml.
type Config struct {
	Enabled      bool          `yaml:"enabled"`
	DataDir      string        `yaml:"data_dir"`       // where the hot-login file and the identity directory live
	HotLoginFile string        `yaml:"hot_login_file"` // file name in DataDir (or a path); default wechat-session.json
	QRWebhook    string        `yaml:"qr_webhook"`     // optional: the QR link is posted here (WeCom-style text JSON)
	SplitRunes   int           `yaml:"split_runes"`    // longest text sent in one message, in runes
	ReplayGrace  time.Duration `yaml:"replay_grace"`   // messages this much older than the session start still count as new
	Limits       Limits        `yaml:"limits"`
	Reconnect    Backoff       `yaml:"reconnect"`
}

// Limits are the send rates the engine's outbox should keep for a WeChat account.
type Limits struct {
	PerChat       time.Duration `yaml:"per_chat"`        // at least this long between two messages to one chat
	PerMinute     int           `yaml:"per_minute"`      // at most this many messages a minute per account
	Jitter        time.Duration `yaml:"jitter"`          // random extra delay added to each send
	RateLimitWait time.Duration `yaml:"rate_limit_wait"` // pause after WeChat says "too frequent" (Ret 1205)
}

// Backoff is how long to wait between login attempts: Min, doubling up to Max.
type Backoff struct {
	Min time.Duration `yaml:"min"`
	Max time.Duration `yaml:"max"`
}

// Next returns the wait after d: Min at first, then doubling up to Max.
func (b Backoff) Next(d time.Duration) time.Duration {
	if d < b.Min {
		return b.Min
	}
	d *= 2
	if d > b.Max {
		d = b.Max
	}
	return d
}

// DefaultLimits are the send rates that keep a web-protocol account out of risk control:
// one message per 2 s per chat, 20 a minute per account, up to 1 s of jitter.
var DefaultLimits = Limits{PerChat: 2 * time.Second, PerMinute: 20, Jitter: time.Second, RateLimitWait: time.Minute}

// DefaultConfig returns a disabled config with every default filled in.
func DefaultConfig() Config {
	return Config{
		DataDir:      "data",
		HotLoginFile: "wechat-session.json",
		SplitRunes:   2000,
		ReplayGrace:  0,
		Limits:       DefaultLimits,
		Reconnect:    Backoff{Min: 5 * time.Second, Max: 10 * time.Minute},
	}
}

// withDefaults fills zero fields from DefaultConfig.
func (c Config) withDefaults() Config {
	d := DefaultConfig()
	if c.DataDir == "" {
		c.DataDir = d.DataDir
	}
	if c.HotLoginFile == "" {
		c.HotLoginFile = d.HotLoginFile
	}
	if c.SplitRunes == 0 {
		c.SplitRunes = d.SplitRunes
	}
	if c.Limits == (Limits{}) {
		c.Limits = d.Limits
	}
	if c.Reconnect == (Backoff{}) {
		c.Reconnect = d.Reconnect
	}
	return c
}

// hotLoginPath is where the hot-login file lives.
func (c Config) hotLoginPath() string {
	if filepath.IsAbs(c.HotLoginFile) || filepath.Dir(c.HotLoginFile) != "." {
		return c.HotLoginFile
	}
	return filepath.Join(c.DataDir, c.HotLoginFile)
}

// Validate reports the first bad key, in Chinese, named as in config.yaml.
func (c Config) Validate() error {
	if !c.Enabled {
		return nil
	}
	c = c.withDefaults()
	bad := func(key, why string) error { return fmt.Errorf("platforms.wechat.%s：%s", key, why) }
	switch {
	case c.DataDir == "":
		return bad("data_dir", "不能为空，请填写保存登录状态的目录")
	case c.SplitRunes < 0 || (c.SplitRunes > 0 && c.SplitRunes < 50):
		return bad("split_runes", "须不小于 50（单条消息的最大字数）")
	case c.ReplayGrace < 0:
		return bad("replay_grace", "不能为负数")
	case c.Limits.PerChat < 0:
		return bad("limits.per_chat", "不能为负数")
	case c.Limits.PerMinute < 0:
		return bad("limits.per_minute", "不能为负数")
	case c.Limits.Jitter < 0:
		return bad("limits.jitter", "不能为负数")
	case c.Limits.RateLimitWait < 0:
		return bad("limits.rate_limit_wait", "不能为负数")
	case c.Reconnect.Min < 0:
		return bad("reconnect.min", "不能为负数")
	case c.Reconnect.Max < c.Reconnect.Min:
		return bad("reconnect.max", "不能小于 reconnect.min")
	}
	if c.QRWebhook != "" {
		u, err := url.Parse(c.QRWebhook)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("qr_webhook", "不是有效的 http(s) 地址")
		}
	}
	return nil
}

// errNotLoggedIn is returned by Send while no session is up: the outbox retries later.
var errNotLoggedIn = errors.New("wechat: not logged in")
