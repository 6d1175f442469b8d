package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"youthlink/bot"
	"youthlink/bot/onebot"
	"youthlink/bot/wechat"
	"youthlink/handlers"
	"youthlink/knowledge"
	"youthlink/llm"
	"youthlink/topics"
)

// platforms builds the enabled platform adapters, registers their senders with the outbox and
// returns a runner for each.
func platforms(ctx context.Context, a *app, stdout io.Writer) ([]func(context.Context) error, error) {
	var runners []func(context.Context) error
	wc := wechat.DefaultConfig()
	if err := a.cfg.Decode("platforms.wechat", &a.cfg.Platforms.WeChat, &wc); err != nil {
		return nil, err
	}
	if wc.Enabled {
		ad, err := wechat.New(wc, wechat.Options{Logger: a.log, QROut: stdout})
		if err != nil {
			return nil, fmt.Errorf("微信：%w", err)
		}
		l := wc.Limits
		a.addAdapter(bot.WeChat, ad, bot.Limits{PerChat: l.PerChat, PerMinute: l.PerMinute, Jitter: l.Jitter, RateLimitWait: l.RateLimitWait})
		runners = append(runners, func(ctx context.Context) error { return ad.Run(ctx, a.engine) })
	}
	var oc onebot.Config
	if err := a.cfg.Decode("platforms.onebot", &a.cfg.Platforms.OneBot, &oc); err != nil {
		return nil, err
	}
	if len(oc.Connections) > 0 {
		if err := oc.Resolve(os.LookupEnv); err != nil {
			return nil, fmt.Errorf("platforms.onebot：%w", err)
		}
		ad, err := onebot.New(oc, onebot.WithLogger(a.log), onebot.WithRoster(rosterSink{a}))
		if err != nil {
			return nil, fmt.Errorf("QQ（OneBot）：%w", err)
		}
		a.addAdapter(bot.QQ, ad, bot.Limits{})
		runners = append(runners, func(ctx context.Context) error { return ad.Run(ctx, a.engine) })
	}
	return runners, nil
}

// rosterSink stores QQ group member lists.
type rosterSink struct{ a *app }

func (r rosterSink) Members(ctx context.Context, account, groupID, groupName string, members []onebot.Member) error {
	us := make([]bot.User, len(members))
	for i, m := range members {
		us[i] = m.User
	}
	return r.a.db.SyncMembers(ctx, bot.QQ, groupID, groupName, us)
}

// newAsker builds the Q&A engine from the llm and knowledge sections; nil when neither is set.
func newAsker(ctx context.Context, a *app) (handlers.Asker, error) {
	cfg := llm.Config{}.WithDefaults()
	if err := a.cfg.Decode("llm", &a.cfg.LLM, &cfg); err != nil {
		return nil, err
	}
	var kb llm.Retriever
	if dir := a.cfg.Knowledge.Dir; dir != "" {
		if _, err := os.Stat(dir); err == nil {
			b, err := knowledge.Load(ctx, dir, topics.Shared())
			if err != nil {
				return nil, fmt.Errorf("知识库 %s：%w", dir, err)
			}
			a.log.Info("知识库已载入", "片段", b.Len())
			kb = b
		} else if !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("知识库 %s：%w", dir, err)
		}
	}
	if kb == nil && a.cfg.LLM.Kind == 0 {
		return nil, nil
	}
	ans, err := llm.New(cfg, kb, llm.WithLogger(a.log))
	if err != nil {
		return nil, err
	}
	return asker{ans}, nil
}

// asker adapts the llm Answerer to the handlers' Asker.
type asker struct{ a *llm.Answerer }

func (s asker) Ask(ctx context.Context, q handlers.Question) (handlers.Answer, error) {
	ans, err := s.a.Ask(ctx, llm.Question{AskerID: fmt.Sprint(q.Asker), GroupID: fmt.Sprint(q.Group), CadreID: fmt.Sprint(q.Cadre), Text: q.Text})
	if err != nil {
		return handlers.Answer{}, err
	}
	out := handlers.Answer{Text: ans.Reply, Handoff: ans.Handoff, Reason: string(ans.Reason),
		PromptTokens: ans.PromptTokens, CompletionTokens: ans.CompletionTokens, Cost: ans.Cost}
	if ans.Handoff && ans.Reason != llm.ReasonNoKey && ans.Reason != llm.ReasonUnsure && !strings.Contains(ans.Reply, "转交") {
		out.Notice = ans.Reply
	}
	return out, nil
}
