package llm

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"
)

// DefaultSystemPrompt is the assistant's persona when Config.SystemPrompt is empty.
const DefaultSystemPrompt = `你是共青团青年群里的智能助手，帮团干部回答青年的问题。
请做到：友好、准确、简短，用简体中文回答，一般不超过150字。
只说你有把握的内容；拿不准的不要猜，坦白说明，并请青年联系本群的团干部。`

// Config configures an Answerer. In config.yaml it is the "llm" section; zero values take the
// defaults listed on each field (see WithDefaults).
type Config struct {
	BaseURL      string        `yaml:"base_url"`      // OpenAI-compatible endpoint, e.g. https://api.deepseek.com/v1; empty: OpenAI
	Model        string        `yaml:"model"`         // model name; required when a key is set
	APIKeyEnv    string        `yaml:"api_key_env"`   // NAME of the environment variable holding the key; no key: knowledge base only
	Timeout      time.Duration `yaml:"timeout"`       // whole model phase of one question, retries included; default 20s
	MaxTokens    int           `yaml:"max_tokens"`    // longest answer in tokens; default 400
	Temperature  float32       `yaml:"temperature"`   // 0 leaves the model's default
	SystemPrompt string        `yaml:"system_prompt"` // persona; default DefaultSystemPrompt

	ContextMessages int      `yaml:"context_messages"` // recent group lines sent along; default 6, -1 none
	SensitiveTopics []string `yaml:"sensitive_topics"` // words that send a question straight to the cadre
	Passages        int      `yaml:"passages"`         // knowledge passages put in the prompt; default 3
	MinConfidence   float64  `yaml:"min_confidence"`   // a passage goes into the prompt from this confidence; default 0.3
	KBConfidence    float64  `yaml:"kb_confidence"`    // without a key, answer from a passage from this confidence; default 0.6

	UserRate         int           `yaml:"user_rate"`          // questions per user per UserRateWindow; default 5, -1 unlimited
	UserRateWindow   time.Duration `yaml:"user_rate_window"`   // default 1m
	UserDailyTokens  int           `yaml:"user_daily_tokens"`  // default 20000, -1 unlimited
	GroupDailyTokens int           `yaml:"group_daily_tokens"` // default 200000, -1 unlimited
	MonthlyTokens    int           `yaml:"monthly_tokens"`     // all groups together; default 5000000, -1 unlimited

	MaxRetries      int           `yaml:"max_retries"`      // retries on 429/5xx/network errors; default 2, -1 none
	RetryBase       time.Duration `yaml:"retry_base"`       // first back-off, doubled each time; default 500ms
	RetryMax        time.Duration `yaml:"retry_max"`        // longest back-off or Retry-After honoured; default 5s
	BreakerFailures int           `yaml:"breaker_failures"` // consecutive failed questions that open the breaker; default 5
	BreakerCooldown time.Duration `yaml:"breaker_cooldown"` // how long it stays open; default 1m

	PromptPrice     float64 `yaml:"prompt_price"`     // cost per 1000 prompt tokens, in 元
	CompletionPrice float64 `yaml:"completion_price"` // cost per 1000 completion tokens, in 元
	UTCOffsetHours  int     `yaml:"utc_offset_hours"` // where days and months start for budgets; default 8 (Beijing)
}

// WithDefaults returns c with every zero field set to its default. Fields set to -1 where the
// field's comment allows it mean "none" or "unlimited" and are kept.
func (c Config) WithDefaults() Config {
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	defDur := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	defF := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	defDur(&c.Timeout, 20*time.Second)
	def(&c.MaxTokens, 400)
	if strings.TrimSpace(c.SystemPrompt) == "" {
		c.SystemPrompt = DefaultSystemPrompt
	}
	def(&c.ContextMessages, 6)
	def(&c.Passages, 3)
	defF(&c.MinConfidence, 0.3)
	defF(&c.KBConfidence, 0.6)
	def(&c.UserRate, 5)
	defDur(&c.UserRateWindow, time.Minute)
	def(&c.UserDailyTokens, 20000)
	def(&c.GroupDailyTokens, 200000)
	def(&c.MonthlyTokens, 5000000)
	def(&c.MaxRetries, 2)
	defDur(&c.RetryBase, 500*time.Millisecond)
	defDur(&c.RetryMax, 5*time.Second)
	def(&c.BreakerFailures, 5)
	defDur(&c.BreakerCooldown, time.Minute)
	def(&c.UTCOffsetHours, 8)
	return c
}

var envName = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

// Validate reports every bad key of c (after WithDefaults), each named as in config.yaml with
// what is wrong, in Chinese.
func (c Config) Validate() error {
	var errs []error
	bad := func(key, format string, args ...any) {
		errs = append(errs, fmt.Errorf("llm.%s：%s", key, fmt.Sprintf(format, args...)))
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("base_url", "应是 http:// 或 https:// 开头的地址，现在是 %q", c.BaseURL)
		}
	}
	if c.APIKeyEnv != "" {
		switch {
		case strings.HasPrefix(c.APIKeyEnv, "sk-") || !envName.MatchString(c.APIKeyEnv):
			bad("api_key_env", "应填写存放密钥的环境变量名（如 YOUTHLINK_LLM_KEY），不要把密钥本身写进配置")
		case strings.TrimSpace(c.Model) == "":
			bad("model", "设置了 api_key_env 时必须填写模型名")
		}
	}
	nonNeg := func(key string, v int) {
		if v < -1 {
			bad(key, "不能小于 -1（-1 表示不限），现在是 %d", v)
		}
	}
	positive := func(key string, v int) {
		if v <= 0 {
			bad(key, "必须大于 0，现在是 %d", v)
		}
	}
	positiveDur := func(key string, v time.Duration) {
		if v <= 0 {
			bad(key, "必须是正的时长（如 20s），现在是 %s", v)
		}
	}
	positiveDur("timeout", c.Timeout)
	positive("max_tokens", c.MaxTokens)
	if c.Temperature < 0 || c.Temperature > 2 {
		bad("temperature", "应在 0 到 2 之间，现在是 %g", c.Temperature)
	}
	nonNeg("context_messages", c.ContextMessages)
	positive("passages", c.Passages)
	unit := func(key string, v float64) {
		if v < 0 || v > 1 {
			bad(key, "应在 0 到 1 之间，现在是 %g", v)
		}
	}
	unit("min_confidence", c.MinConfidence)
	unit("kb_confidence", c.KBConfidence)
	for i, s := range c.SensitiveTopics {
		if strings.TrimSpace(s) == "" {
			bad(fmt.Sprintf("sensitive_topics[%d]", i), "不能是空字符串")
		}
	}
	nonNeg("user_rate", c.UserRate)
	positiveDur("user_rate_window", c.UserRateWindow)
	nonNeg("user_daily_tokens", c.UserDailyTokens)
	nonNeg("group_daily_tokens", c.GroupDailyTokens)
	nonNeg("monthly_tokens", c.MonthlyTokens)
	nonNeg("max_retries", c.MaxRetries)
	positiveDur("retry_base", c.RetryBase)
	positiveDur("retry_max", c.RetryMax)
	positive("breaker_failures", c.BreakerFailures)
	positiveDur("breaker_cooldown", c.BreakerCooldown)
	if c.PromptPrice < 0 {
		bad("prompt_price", "不能为负数")
	}
	if c.CompletionPrice < 0 {
		bad("completion_price", "不能为负数")
	}
	if c.UTCOffsetHours < -12 || c.UTCOffsetHours > 14 {
		bad("utc_offset_hours", "应在 -12 到 14 之间，现在是 %d", c.UTCOffsetHours)
	}
	return errors.Join(errs...)
}
