package web

import (
	"fmt"
	"net"
	"regexp"
	"time"
)

// Config is the `web` section of config.yaml.
type Config struct {
	// Enabled makes `youthlink run` serve the dashboard too.
	Enabled bool `yaml:"enabled"`
	// Addr is the listen address; keep it on loopback behind a TLS reverse proxy.
	Addr string `yaml:"addr"`
	// SecureCookie marks session cookies Secure even when TLS ends at a proxy.
	SecureCookie bool `yaml:"secure_cookie"`
	// AdminUser is the name of the first account, for the root committee.
	AdminUser string `yaml:"admin_user"`
	// AdminPasswordEnv names the environment variable holding that account's password; when it
	// is unset the password is generated and printed once, when the account is created.
	AdminPasswordEnv string `yaml:"admin_password_env"`
	// DigestDir is where archived weekly digests are listed from ("" hides the archive).
	DigestDir string `yaml:"digest_dir"`
	// SessionTTL is how long a login lasts.
	SessionTTL time.Duration `yaml:"session_ttl"`
}

// DefaultConfig is used for keys the file leaves out.
func DefaultConfig() Config {
	return Config{Enabled: true, Addr: "127.0.0.1:8080", AdminUser: "admin", AdminPasswordEnv: "YOUTHLINK_WEB_PASSWORD",
		DigestDir: "data/digests", SessionTTL: 12 * time.Hour}
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate names the first wrong key.
func (c *Config) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("addr「%s」不是 主机:端口（例如 127.0.0.1:8080）", c.Addr)
	}
	if !validName(c.AdminUser) {
		return fmt.Errorf("admin_user「%s」不合适：2–32 个字母、数字、汉字、点、横线或下划线", c.AdminUser)
	}
	if !envName.MatchString(c.AdminPasswordEnv) {
		return fmt.Errorf("admin_password_env「%s」不是环境变量名（例如 YOUTHLINK_WEB_PASSWORD）", c.AdminPasswordEnv)
	}
	if c.SessionTTL < time.Minute || c.SessionTTL > 30*24*time.Hour {
		return fmt.Errorf("session_ttl 应在 1m 到 720h 之间（例如 12h）")
	}
	return nil
}

var userName = regexp.MustCompile(`^[\p{Han}A-Za-z0-9._-]{2,32}$`)

func validName(s string) bool { return userName.MatchString(s) }
