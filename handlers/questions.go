package handlers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"youthlink/bot"
	"youthlink/storage"
)

func (h *H) ask(c *bot.Context) error {
	return h.question(c, strings.TrimSpace(c.Args))
}

// question answers a youth's question, or hands it to the cadre of the group and tracks it.
func (h *H) question(c *bot.Context, text string) error {
	ev := c.Event
	text = stripMentions(text)
	if text == "" {
		return c.Reply("请把问题写在后面，例如：@我 这周的志愿活动几点集合？或者 /问 入团需要什么条件？")
	}
	cadre := c.Stored.GroupCadre
	q := storage.Question{Chat: c.Chat(), MsgID: ev.MsgID, GroupID: c.Stored.GroupID, Asker: c.Stored.SenderID,
		Cadre: cadre, Text: text, AskedAt: ev.Time}
	if c.Stored.OptedOut {
		q.Text = "（提问者已退出统计，内容不保存）"
	}
	var ans Answer
	if h.o.Asker != nil {
		var err error
		ans, err = h.o.Asker.Ask(c, Question{Asker: c.Stored.SenderID, Group: c.Stored.GroupID, Cadre: cadre, Text: text})
		if err != nil {
			h.o.Log.Warn("q&a failed, handing off", "err", err)
			ans = Answer{Handoff: true, Reason: "llm_failed"}
		}
		if ans.PromptTokens+ans.CompletionTokens > 0 {
			if err := h.o.Store.AddUsage(c, h.o.Now(), cadre, c.Stored.GroupID, c.Stored.SenderID, ans.PromptTokens, ans.CompletionTokens, ans.Cost); err != nil {
				h.o.Log.Error("record llm usage", "err", err)
			}
		}
	} else {
		ans = Answer{Handoff: true, Reason: "no_llm"}
	}
	if !ans.Handoff {
		q.Status, q.Answer = "answered_by_bot", ans.Text
		if _, err := h.o.Store.AddQuestion(c, q); err != nil {
			return err
		}
		return c.Reply(ans.Text)
	}
	q.Status, q.Reason = "open", ans.Reason
	id, err := h.o.Store.AddQuestion(c, q)
	if err != nil {
		return err
	}
	if cadre == 0 {
		msg := "这个问题我暂时答不了，本群还没有登记团干部，已记录下来，登记后会转交处理。"
		if ev.ChatKind == bot.Private {
			msg = "这个问题我暂时答不了，已记录下来。私聊的提问还没有对应的团干部，建议在你所在的青年群里 @我 提问，答不了的会转交给群里的团干部。"
		}
		if ans.Notice != "" {
			msg = ans.Notice + "\n" + msg
		}
		return c.Reply(msg)
	}
	cd, err := h.o.Store.CadreByID(c, cadre)
	if err != nil {
		return err
	}
	msg := fmt.Sprintf("这个问题已转交给团干部%s，会尽快回复你。", cd.Name)
	if ans.Notice != "" {
		msg = ans.Notice + "\n" + msg
	}
	if err := c.Reply(msg); err != nil {
		return err
	}
	return h.notifyCadre(c, cd, id, text)
}

// notifyCadre tells the cadre about a handed-off question: privately when the cadre's account is
// known on this platform, else in the group with an @.
func (h *H) notifyCadre(c *bot.Context, cd storage.Cadre, id int64, text string) error {
	note := fmt.Sprintf("【待答复提问 #%d】%s 在「%s」问：%s\n请引用这条提问回复，或发送：/答 %d 答复内容",
		id, c.Event.Sender.Display(), chatName(c.Event), text, id)
	u, ok, err := h.o.Store.CadreContact(c, cd.ID, c.Event.Platform)
	if err != nil {
		return err
	}
	if !ok {
		h.o.Log.Warn("cadre has no chat account on this platform; question waits in /待办", "cadre", cd.Name)
		return nil
	}
	if c.Event.ChatKind == bot.Group {
		return c.Send(bot.Outgoing{Chat: c.Chat(), Text: note, Mention: []bot.User{u}, Key: fmt.Sprintf("question:%d", id)})
	}
	chat := bot.Chat{Platform: c.Event.Platform, Account: c.Event.Account, Kind: bot.Private, ID: u.ID}
	return c.Send(bot.Outgoing{Chat: chat, Text: note, Key: fmt.Sprintf("question:%d", id)})
}

func chatName(ev *bot.Event) string {
	if ev.ChatKind == bot.Private {
		return "私聊"
	}
	if ev.ChatName != "" {
		return ev.ChatName
	}
	return ev.ChatID
}

func (h *H) answerCmd(c *bot.Context) error {
	num, rest, _ := strings.Cut(strings.TrimSpace(c.Args), " ")
	id, err := strconv.ParseInt(strings.TrimPrefix(num, "#"), 10, 64)
	if err != nil || id <= 0 || strings.TrimSpace(rest) == "" {
		return bot.Say("用法：/答 编号 答复内容，例如：/答 12 报名截止到本周五。发送 /待办 查看编号。")
	}
	return h.answer(c, id, strings.TrimSpace(rest))
}

// answer closes a question with the cadre's answer, relays it to the asker's chat, and counts a
// direct interaction.
func (h *H) answer(c *bot.Context, id int64, text string) error {
	if text == "" {
		return bot.Say("答复内容不能为空。")
	}
	q, err := h.o.Store.OpenQuestion(c, id)
	if errors.Is(err, storage.ErrNotFound) {
		return bot.Say("没有等待答复的提问 #%d（可能已经答复过了）。发送 /待办 查看。", id)
	}
	if err != nil {
		return err
	}
	if err := h.mayAnswer(c, q); err != nil {
		return err
	}
	ok, err := h.o.Store.AnswerQuestion(c, id, c.Stored.SenderCadre, text, h.o.Now())
	if err != nil {
		return err
	}
	if !ok {
		return bot.Say("提问 #%d 已经答复过了。", id)
	}
	same := q.Chat.Platform == c.Event.Platform && q.Chat.ID == c.Event.ChatID
	if !same {
		relay := fmt.Sprintf("关于你的提问「%s」，团干部的答复：%s", short(q.Text, 40), text)
		if err := c.Send(bot.Outgoing{Chat: q.Chat, Text: relay, ReplyTo: q.MsgID, Key: fmt.Sprintf("answer:%d", id)}); err != nil {
			return err
		}
	}
	return c.Reply(fmt.Sprintf("已记录对提问 #%d 的答复，计一次直接联系。", id))
}

// mayAnswer refuses a question that was handed to another cadre. One handed to nobody (its
// group was not registered then) may be answered in its group by the cadre it is registered to now;
// one asked in a private chat belongs to no group and no cadre, and any cadre may answer it.
func (h *H) mayAnswer(c *bot.Context, q storage.Question) error {
	me := c.Stored.SenderCadre
	switch {
	case q.Cadre == me, q.Cadre == 0 && q.GroupID == 0:
		return nil
	case q.Cadre == 0 && q.GroupID == c.Stored.GroupID && c.Stored.GroupCadre == me:
		return nil
	case q.Cadre == 0:
		return bot.Say("提问 #%d 还没有转交给团干部，请由登记了提问所在群的团干部在群里引用提问答复。", q.ID)
	}
	cd, err := h.o.Store.CadreByID(c, q.Cadre)
	if err != nil {
		return err
	}
	return bot.Say("提问 #%d 转交给了团干部%s，只能由%s答复。发送 /待办 查看转交给你的提问。", q.ID, cd.Name, cd.Name)
}

func (h *H) todo(c *bot.Context) error {
	qs, err := h.o.Store.OpenQuestions(c, c.Stored.SenderCadre)
	if err != nil {
		return err
	}
	if len(qs) == 0 {
		return c.Reply("没有等待你答复的提问。")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "等待你答复的提问（%d 条）：\n", len(qs))
	now := h.o.Now()
	for _, q := range qs {
		fmt.Fprintf(&b, "#%d %s：%s（已等 %s）\n", q.ID, q.AskerName, short(q.Text, 30), waited(now.Sub(q.AskedAt)))
	}
	b.WriteString("发送 /答 编号 答复内容 进行答复。")
	return c.Reply(b.String())
}

func waited(d time.Duration) string {
	switch {
	case d < time.Hour:
		return fmt.Sprintf("%d 分钟", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%d 小时", int(d.Hours()))
	}
	return fmt.Sprintf("%d 天", int(d.Hours()/24))
}

func short(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
