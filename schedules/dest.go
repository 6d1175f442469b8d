package schedules

import (
	"context"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"youthlink/bot"
	"youthlink/notify"
)

// Content is one message in every form a destination may want.
type Content struct {
	Title    string
	Name     string // file-name stem for dir destinations, e.g. "示范市团委-2026-W47"
	Text     string // chat
	Markdown string // webhook robots
	HTML     []byte // files
	JSON     []byte // files
}

// textContent wraps plain text (reminders, reports) for every destination.
func textContent(title, name, text string) Content {
	html := "<!DOCTYPE html>\n<html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>" + template.HTMLEscapeString(title) +
		"</title></head><body><h1>" + template.HTMLEscapeString(title) + "</h1><pre>" + template.HTMLEscapeString(text) + "</pre></body></html>\n"
	js := fmt.Sprintf("{\"title\": %q, \"text\": %q}\n", title, text)
	return Content{Title: title, Name: name, Text: title + "\n" + text, Markdown: text, HTML: []byte(html), JSON: []byte(js)}
}

// Enqueuer is the bot's persisted outbox.
type Enqueuer interface {
	Enqueue(ctx context.Context, m bot.Outgoing) error
}

// dest is a destination ready to deliver. ref identifies the delivery (job, period, destination)
// so that a destination that can deduplicate (the outbox) does.
type dest interface {
	key() string
	deliver(ctx context.Context, ref string, c Content) error
}

// chatDest sends through the outbox, split into parts a chat takes.
type chatDest struct {
	d   Destination
	out Enqueuer
}

func (c chatDest) key() string { return c.d.Key() }

func (c chatDest) deliver(ctx context.Context, ref string, ct Content) error {
	if c.out == nil {
		return errors.New("没有可用的聊天平台发送消息")
	}
	return enqueueText(ctx, c.out, c.chat(), ref, ct.Text, c.d.MaxBytes)
}

func (c chatDest) chat() bot.Chat {
	kind := bot.Group
	if c.d.Private {
		kind = bot.Private
	}
	return bot.Chat{Platform: bot.Platform(c.d.Platform), Account: c.d.Account, Kind: kind, ID: c.d.Chat}
}

// maxChatParts is the most messages one delivery becomes in a chat; the rest is cut.
const maxChatParts = 5

// enqueueText queues text to a chat in at most maxChatParts parts of at most max bytes (default 1800), each with an
// idempotency key derived from ref: queuing the same delivery twice sends it once.
func enqueueText(ctx context.Context, out Enqueuer, chat bot.Chat, ref, text string, max int) error {
	if max <= 0 {
		max = 1800
	}
	parts := notify.Split(text, max)
	if len(parts) > maxChatParts {
		parts = parts[:maxChatParts]
		parts[maxChatParts-1] += "\n……（内容过长，后文已截断）"
	}
	for i, p := range parts {
		if len(parts) > 1 {
			p = fmt.Sprintf("（%d/%d）\n", i+1, len(parts)) + p
		}
		if err := out.Enqueue(ctx, bot.Outgoing{Chat: chat, Text: p, Key: fmt.Sprintf("%s#%d", ref, i+1)}); err != nil {
			return err
		}
	}
	return nil
}

// robotDest sends the Markdown form to a group robot.
type robotDest struct {
	k string
	r notify.Robot
}

func (r robotDest) key() string { return r.k }

func (r robotDest) deliver(ctx context.Context, _ string, c Content) error {
	return r.r.Send(ctx, notify.Message{Title: c.Title, Markdown: c.Markdown})
}

// dirDest writes one file per delivery, replacing it atomically if it is written again.
type dirDest struct {
	d Destination
}

func (f dirDest) key() string { return f.d.Key() }

func (f dirDest) deliver(ctx context.Context, _ string, c Content) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var body []byte
	ext := ".html"
	switch f.d.Format {
	case "markdown":
		body, ext = []byte("# "+c.Title+"\n\n"+c.Markdown), ".md"
	case "text":
		body, ext = []byte(c.Text+"\n"), ".txt"
	case "json":
		body, ext = c.JSON, ".json"
	default:
		body = c.HTML
	}
	if err := os.MkdirAll(f.d.Path, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", f.d.Path, err)
	}
	name := filepath.Join(f.d.Path, notify.SafeName(c.Name)+ext)
	tmp, err := os.CreateTemp(f.d.Path, ".digest-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	_, werr := tmp.Write(body)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}

// buildDest makes a destination from its config. Robot keys and secrets are read from the
// environment variables the config names, through getenv.
func buildDest(d Destination, o *Options) (dest, error) {
	switch d.Type {
	case "chat":
		return chatDest{d: d, out: o.Outbox}, nil
	case "dir":
		return dirDest{d: d}, nil
	}
	key := strings.TrimSpace(o.Getenv(d.KeyEnv))
	if key == "" {
		return nil, fmt.Errorf("环境变量 %s 没有设置（%s 群机器人的 key）", d.KeyEnv, d.Type)
	}
	cfg := notify.Config{BaseURL: d.BaseURL, Key: key, HTTPClient: o.HTTPClient, Now: o.Now, MaxRetries: -1}
	if d.SecretEnv != "" {
		if cfg.Secret = strings.TrimSpace(o.Getenv(d.SecretEnv)); cfg.Secret == "" {
			return nil, fmt.Errorf("环境变量 %s 没有设置（%s 群机器人的签名密钥）", d.SecretEnv, d.Type)
		}
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = &http.Client{Timeout: 30 * time.Second}
	}
	var r notify.Robot
	switch d.Type {
	case "wecom":
		r = notify.NewWeCom(cfg)
	case "dingtalk":
		r = notify.NewDingTalk(cfg)
	case "feishu":
		r = notify.NewFeishu(cfg)
	}
	return robotDest{k: d.Key(), r: r}, nil
}
