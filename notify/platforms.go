package notify

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"time"
)

// Size limits of message content, in bytes. See the package documentation.
const (
	WeComTextLimit     = 2048
	WeComMarkdownLimit = 4096
	DingTalkLimit      = 20000
	FeishuLimit        = 18000
)

// Platform result codes the robots act on.
const (
	WeComFrequencyLimit   = 45009  // 接口调用超过限制: back off and retry
	WeComInvalidKey       = 93000  // invalid webhook key: final
	DingTalkSendTooFast   = 130101 // send too fast: back off and retry
	FeishuTooManyRequests = 9499   // too many requests: back off and retry
	FeishuFrequencyLimit  = 11232  // frequency limited: back off and retry
	systemBusy            = -1     // WeCom and DingTalk: system busy, try later
)

// NewWeCom returns a WeCom (企业微信) group robot: POST {BaseURL}/cgi-bin/webhook/send?key=KEY.
// Markdown is limited to 4096 bytes and text to 2048 bytes per message.
func NewWeCom(cfg Config) *Webhook {
	return newWebhook(cfg, dialect{
		name: "wecom",
		base: "https://qyapi.weixin.qq.com",
		limit: func(md bool) int {
			if md {
				return WeComMarkdownLimit
			}
			return WeComTextLimit
		},
		url: func(c *Config, _ time.Time) string {
			return c.BaseURL + "/cgi-bin/webhook/send?key=" + url.QueryEscape(c.Key)
		},
		payload: func(_ *Config, p piece, _ time.Time) any {
			if p.markdown {
				return map[string]any{"msgtype": "markdown", "markdown": map[string]string{"content": p.content}}
			}
			return map[string]any{"msgtype": "text", "text": map[string]string{"content": p.content}}
		},
		check:   checker(WeComFrequencyLimit, systemBusy),
		titleMD: func(t string) string { return "## " + t + "\n\n" },
	})
}

// NewDingTalk returns a DingTalk (钉钉) group robot: POST {BaseURL}/robot/send?access_token=KEY,
// signed with &timestamp=&sign= when cfg.Secret is set.
func NewDingTalk(cfg Config) *Webhook {
	return newWebhook(cfg, dialect{
		name:  "dingtalk",
		base:  "https://oapi.dingtalk.com",
		limit: func(bool) int { return DingTalkLimit },
		url: func(c *Config, now time.Time) string {
			u := c.BaseURL + "/robot/send?access_token=" + url.QueryEscape(c.Key)
			if c.Secret != "" {
				ts := strconv.FormatInt(now.UnixMilli(), 10)
				u += "&timestamp=" + ts + "&sign=" + url.QueryEscape(DingTalkSign(ts, c.Secret))
			}
			return u
		},
		payload: func(_ *Config, p piece, _ time.Time) any {
			if p.markdown {
				title := p.title
				if title == "" {
					title = "通知"
				}
				return map[string]any{"msgtype": "markdown", "markdown": map[string]string{"title": title, "text": p.content}}
			}
			return map[string]any{"msgtype": "text", "text": map[string]string{"content": p.content}}
		},
		check:   checker(DingTalkSendTooFast, systemBusy),
		titleMD: func(t string) string { return "### " + t + "\n\n" },
	})
}

// NewFeishu returns a Feishu (飞书) group robot: POST {BaseURL}/open-apis/bot/v2/hook/KEY, with
// "timestamp" and "sign" in the body when cfg.Secret is set. Text goes as msg_type "text";
// markdown as an "interactive" card with the title in its header and one markdown element.
func NewFeishu(cfg Config) *Webhook {
	return newWebhook(cfg, dialect{
		name:  "feishu",
		base:  "https://open.feishu.cn",
		limit: func(bool) int { return FeishuLimit },
		url: func(c *Config, _ time.Time) string {
			return c.BaseURL + "/open-apis/bot/v2/hook/" + url.PathEscape(c.Key)
		},
		payload: func(c *Config, p piece, now time.Time) any {
			var m map[string]any
			if p.markdown {
				card := map[string]any{"elements": []any{map[string]string{"tag": "markdown", "content": p.content}}}
				if p.title != "" {
					card["header"] = map[string]any{"title": map[string]string{"tag": "plain_text", "content": p.title}}
				}
				m = map[string]any{"msg_type": "interactive", "card": card}
			} else {
				m = map[string]any{"msg_type": "text", "content": map[string]string{"text": p.content}}
			}
			if c.Secret != "" {
				ts := strconv.FormatInt(now.Unix(), 10)
				m["timestamp"] = ts
				m["sign"] = FeishuSign(ts, c.Secret)
			}
			return m
		},
		check: checker(FeishuTooManyRequests, FeishuFrequencyLimit),
		// The card header shows the title: no heading in the content.
	})
}

// DingTalkSign is DingTalk's signature for timestamp ts (milliseconds, as sent):
// base64(HMAC-SHA256(key=secret, ts+"\n"+secret)), before URL encoding.
func DingTalkSign(ts, secret string) string {
	h := hmac.New(sha256.New, []byte(secret))
	h.Write([]byte(ts + "\n" + secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}

// FeishuSign is Feishu's signature for timestamp ts (seconds, as sent):
// base64(HMAC-SHA256(key=ts+"\n"+secret, empty message)).
func FeishuSign(ts, secret string) string {
	h := hmac.New(sha256.New, []byte(ts+"\n"+secret))
	return base64.StdEncoding.EncodeToString(h.Sum(nil))
}
