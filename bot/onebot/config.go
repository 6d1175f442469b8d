package onebot

import (
	"fmt"
	"net/url"
	"strconv"
	"time"
)

// Connection modes.
const (
	ModeReverseWS = "reverse-ws" // the OneBot implementation dials YouthLink
	ModeForwardWS = "forward-ws" // YouthLink dials the OneBot implementation
	ModeHTTP      = "http"       // HTTP POST events to YouthLink, HTTP API for actions
)

// Config is the platforms.onebot section of config.yaml.
type Config struct {
	Connections []Conn `yaml:"connections"`
	// RosterInterval is how often group rosters are fetched again after the first sync on
	// connect. Zero means 24h.
	RosterInterval time.Duration `yaml:"roster_interval"`
	// ActionTimeout bounds each OneBot action (send, get_group_member_list, …). Zero means 10s.
	ActionTimeout time.Duration `yaml:"action_timeout"`
	// MaxTextBytes caps the text kept from one message; longer text is cut and logged.
	// Zero means 64 KiB.
	MaxTextBytes int `yaml:"max_text_bytes"`
}

// Conn is one OneBot connection: one listener, one dialed server, or one HTTP pair. A reverse-ws
// or http listener may serve several QQ accounts.
type Conn struct {
	Name string `yaml:"name"` // for logs; defaults to "onebot-<index>"
	Mode string `yaml:"mode"` // reverse-ws, forward-ws or http

	// Listen is the address YouthLink listens on (reverse-ws, http), e.g. "127.0.0.1:8080".
	Listen string `yaml:"listen"`
	// URL is the OneBot server: the WebSocket URL for forward-ws (ws://127.0.0.1:6700), the
	// HTTP API base for http (http://127.0.0.1:5700).
	URL string `yaml:"url"`
	// Split makes forward-ws dial URL+"/api" and URL+"/event" instead of one universal socket.
	Split bool `yaml:"split"`

	// TokenEnv names the environment variable holding the access token; Token is its value,
	// filled in by the caller (see Config.Resolve). Empty: no token is sent or required.
	TokenEnv string `yaml:"token_env"`
	Token    string `yaml:"-"`
	// SecretEnv names the environment variable holding the HTTP POST signing secret (http mode);
	// Secret is its value, filled in by the caller.
	SecretEnv string `yaml:"secret_env"`
	Secret    string `yaml:"-"`

	// SendPerMinute and SendBurst throttle sends per QQ account on this connection: unofficial
	// clients get accounts rate-limited after bursts. Zero means 20 per minute, burst 5.
	SendPerMinute int `yaml:"send_per_minute"`
	SendBurst     int `yaml:"send_burst"`

	// Groups are group numbers whose rosters are synced even before a message is seen there.
	Groups []string `yaml:"groups"`

	// RetryMin and RetryMax bound the reconnect backoff of forward-ws. Zero means 1s and 60s.
	RetryMin time.Duration `yaml:"retry_min"`
	RetryMax time.Duration `yaml:"retry_max"`
}

// Resolve fills Token and Secret of every connection from the environment variables they name,
// using lookup (os.LookupEnv in production). A named variable that is unset or empty is an error.
func (c *Config) Resolve(lookup func(string) (string, bool)) error {
	for i := range c.Connections {
		cn := &c.Connections[i]
		for _, f := range []struct {
			key, env string
			dst      *string
		}{{"token_env", cn.TokenEnv, &cn.Token}, {"secret_env", cn.SecretEnv, &cn.Secret}} {
			if f.env == "" {
				continue
			}
			v, ok := lookup(f.env)
			if !ok || v == "" {
				return fmt.Errorf("platforms.onebot.connections[%d].%s: 环境变量 %s 未设置或为空", i, f.key, f.env)
			}
			*f.dst = v
		}
	}
	return nil
}

// Validate checks the section and names the first bad key, in Chinese.
func (c *Config) Validate() error {
	const p = "platforms.onebot"
	if len(c.Connections) == 0 {
		return fmt.Errorf("%s.connections: 至少需要配置一个 OneBot 连接", p)
	}
	if c.RosterInterval < 0 {
		return fmt.Errorf("%s.roster_interval: 不能为负数", p)
	}
	if c.ActionTimeout < 0 {
		return fmt.Errorf("%s.action_timeout: 不能为负数", p)
	}
	if c.MaxTextBytes < 0 {
		return fmt.Errorf("%s.max_text_bytes: 不能为负数", p)
	}
	names := map[string]int{}
	for i, cn := range c.Connections {
		k := fmt.Sprintf("%s.connections[%d]", p, i)
		if cn.Name != "" {
			if j, dup := names[cn.Name]; dup {
				return fmt.Errorf("%s.name: 名称 %q 与 connections[%d] 重复", k, cn.Name, j)
			}
			names[cn.Name] = i
		}
		switch cn.Mode {
		case ModeReverseWS:
			if cn.Listen == "" {
				return fmt.Errorf("%s.listen: reverse-ws 模式需要监听地址，例如 127.0.0.1:8080", k)
			}
		case ModeForwardWS:
			if err := checkURL(cn.URL, "ws", "wss"); err != nil {
				return fmt.Errorf("%s.url: %v", k, err)
			}
		case ModeHTTP:
			if cn.Listen == "" {
				return fmt.Errorf("%s.listen: http 模式需要接收事件的监听地址，例如 127.0.0.1:8081", k)
			}
			if err := checkURL(cn.URL, "http", "https"); err != nil {
				return fmt.Errorf("%s.url: %v", k, err)
			}
		case "":
			return fmt.Errorf("%s.mode: 未填写，应为 reverse-ws、forward-ws 或 http", k)
		default:
			return fmt.Errorf("%s.mode: 未知模式 %q，应为 reverse-ws、forward-ws 或 http", k, cn.Mode)
		}
		if cn.Secret != "" && cn.Mode != ModeHTTP {
			return fmt.Errorf("%s.secret_env: 签名密钥只用于 http 模式", k)
		}
		if cn.SendPerMinute < 0 {
			return fmt.Errorf("%s.send_per_minute: 不能为负数", k)
		}
		if cn.SendBurst < 0 {
			return fmt.Errorf("%s.send_burst: 不能为负数", k)
		}
		if cn.RetryMin < 0 || cn.RetryMax < 0 || (cn.RetryMax > 0 && cn.RetryMin > cn.RetryMax) {
			return fmt.Errorf("%s.retry_min: 重连间隔须为正数且不大于 retry_max", k)
		}
		for j, g := range cn.Groups {
			if n, err := strconv.ParseInt(g, 10, 64); err != nil || n <= 0 {
				return fmt.Errorf("%s.groups[%d]: %q 不是有效的群号", k, j, g)
			}
		}
	}
	return nil
}

func checkURL(s string, schemes ...string) error {
	if s == "" {
		return fmt.Errorf("未填写，例如 %s://127.0.0.1:6700", schemes[0])
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return fmt.Errorf("%q 不是有效的地址", s)
	}
	for _, sc := range schemes {
		if u.Scheme == sc {
			return nil
		}
	}
	return fmt.Errorf("%q 的协议应为 %s", s, schemes[0])
}

// withDefaults returns c with zero values replaced by defaults.
func (c Config) withDefaults() Config {
	if c.RosterInterval == 0 {
		c.RosterInterval = 24 * time.Hour
	}
	if c.ActionTimeout == 0 {
		c.ActionTimeout = 10 * time.Second
	}
	if c.MaxTextBytes == 0 {
		c.MaxTextBytes = 64 << 10
	}
	cs := make([]Conn, len(c.Connections))
	for i, cn := range c.Connections {
		if cn.Name == "" {
			cn.Name = "onebot-" + strconv.Itoa(i)
		}
		if cn.SendPerMinute == 0 {
			cn.SendPerMinute = 20
		}
		if cn.SendBurst == 0 {
			cn.SendBurst = 5
		}
		if cn.RetryMin == 0 {
			cn.RetryMin = time.Second
		}
		if cn.RetryMax == 0 {
			cn.RetryMax = 60 * time.Second
		}
		if cn.RetryMax < cn.RetryMin {
			cn.RetryMax = cn.RetryMin
		}
		cs[i] = cn
	}
	c.Connections = cs
	return c
}
