package handlers

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"youthlink/bot"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

// Store is what the handlers read and write.
type Store interface {
	record.Source
	Bind(ctx context.Context, code string, identity int64) (storage.Cadre, error)
	RegisterGroup(ctx context.Context, groupID, cadreID int64) (already bool, waiting int, err error)
	OptOut(ctx context.Context, identity int64) error
	Erase(ctx context.Context, identity int64) error
	LogActivity(ctx context.Context, a storage.Activity) (int64, error)
	CadreByID(ctx context.Context, id int64) (storage.Cadre, error)
	Person(ctx context.Context, p bot.Platform, u bot.User) (storage.Person, error)
	TopTopics(ctx context.Context, groups []int64, fromWeek, toWeek string, n int) (topics, keywords []storage.Count, err error)
	AddQuestion(ctx context.Context, q storage.Question) (int64, error)
	OpenQuestions(ctx context.Context, cadre int64) ([]storage.Question, error)
	OpenQuestion(ctx context.Context, id int64) (storage.Question, error)
	QuestionByMessage(ctx context.Context, p bot.Platform, chatID, msgID string) (storage.Question, error)
	AnswerQuestion(ctx context.Context, id, cadre int64, answer string, at time.Time) (bool, error)
	AddUsage(ctx context.Context, at time.Time, cadre, group, asker int64, prompt, completion int, cost float64) error
	CadreContact(ctx context.Context, cadre int64, p bot.Platform) (bot.User, bool, error)
}

// Question is what the Q&A engine is asked.
type Question struct {
	Asker, Group, Cadre int64
	Text                string
}

// Answer is what the Q&A engine says: an answer, or a hand-off to the cadre with the reason.
type Answer struct {
	Text             string // the answer, with its sources named
	Handoff          bool   // the cadre should answer instead
	Reason           string // why it was handed off
	Notice           string // what to tell the youth instead of the default hand-off text
	PromptTokens     int
	CompletionTokens int
	Cost             float64
}

// Asker answers youths' questions (the LLM with its knowledge base); nil hands every question
// to the cadre.
type Asker interface {
	Ask(ctx context.Context, q Question) (Answer, error)
}

// Options configure the handlers.
type Options struct {
	Store   Store
	Policy  record.Policy
	Asker   Asker
	BotName string
	Intro   bool
	Now     func() time.Time
	Log     *slog.Logger
}

// H holds the handlers' dependencies.
type H struct {
	o Options
}

// Register adds every command and message handler to r.
func Register(r *bot.Router, o Options) *H {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.BotName == "" {
		o.BotName = "青联小助手"
	}
	h := &H{o: o}
	r.Use(h.introduce)
	cmds := []bot.Command{
		{Name: "帮助", Aliases: []string{"help", "h"}, Usage: "/帮助 [命令]", Help: "查看命令说明", Handler: h.help(r)},
		{Name: "绑定", Aliases: []string{"bind"}, Usage: "/绑定 绑定码", Help: "团干部绑定本账号（绑定码由管理员用 youthlink bindcode 生成）", Handler: h.bind},
		{Name: "登记本群", Aliases: []string{"register"}, Usage: "/登记本群", Help: "把本群登记为自己联系的青年群", CadreOnly: true, Handler: h.register},
		{Name: "台账", Aliases: []string{"record", "台帐"}, Usage: "/台账 [2026Q4]", Help: "查看自己的联系台账：覆盖率、互动、活动、积分、排名", CadreOnly: true, Handler: h.record},
		{Name: "排行", Aliases: []string{"rank"}, Usage: "/排行", Help: "本单位的光荣榜和加油榜", CadreOnly: true, Handler: h.rank},
		{Name: "活动", Aliases: []string{"activity"}, Usage: "/活动 线下|线上 标题 [2026-11-20] @参与青年…", Help: "登记一次活动，@到的青年计为参与", CadreOnly: true, Handler: h.activity},
		{Name: "见面", Aliases: []string{"meet"}, Usage: "/见面 @青年 备注", Help: "登记一次面对面交流", CadreOnly: true, Handler: h.meet},
		{Name: "话题", Aliases: []string{"topics"}, Usage: "/话题", Help: "本群本周的热门话题和关键词", Handler: h.topics},
		{Name: "问", Aliases: []string{"ask"}, Usage: "/问 问题", Help: "向小助手提问，答不了的会转交团干部", Handler: h.ask},
		{Name: "答", Aliases: []string{"answer"}, Usage: "/答 编号 答复内容", Help: "答复转交给你的青年提问（也可以直接引用提问消息回复）", CadreOnly: true, Handler: h.answerCmd},
		{Name: "待办", Aliases: []string{"todo"}, Usage: "/待办", Help: "查看等待你答复的青年提问", CadreOnly: true, Handler: h.todo},
		{Name: "退出统计", Aliases: []string{"optout"}, Usage: "/退出统计", Help: "不再统计我的发言和互动（以前的互动也不再计入团干部台账），已保存的发言内容一并删除", Handler: h.optOut},
		{Name: "删除我的数据", Aliases: []string{"erase"}, Usage: "/删除我的数据 确认", Help: "删除小助手保存的关于我的全部数据", Handler: h.erase},
	}
	for _, c := range cmds {
		r.Handle(c)
	}
	r.OnMessage(h.onMessage)
	return h
}

func (h *H) help(r *bot.Router) bot.Handler {
	return func(c *bot.Context) error {
		if c.Args != "" {
			name := strings.TrimPrefix(strings.TrimPrefix(c.Args, "/"), "／")
			cmd, ok := r.Lookup(name)
			if !ok {
				return bot.Say("没有「%s」这个命令。发送 /帮助 查看全部命令。", name)
			}
			return c.Reply(fmt.Sprintf("%s\n%s\n别名：/%s", cmd.Usage, cmd.Help, strings.Join(cmd.Aliases, " /")))
		}
		var b strings.Builder
		fmt.Fprintf(&b, "我是%s，帮团干部记录“1+100”直接联系青年的工作。可用命令：\n", h.o.BotName)
		for _, cmd := range r.Commands() {
			mark := ""
			if cmd.CadreOnly {
				mark = "（团干部）"
			}
			fmt.Fprintf(&b, "%s —— %s%s\n", cmd.Usage, cmd.Help, mark)
		}
		b.WriteString("在群里 @我 也可以直接提问。")
		return c.Reply(b.String())
	}
}

// bind binds the sender's account to the cadre whose code it sends. An account bound already
// is moved to the code's cadre, never silently: an account changes hands when a post does, and
// the administrator's one tool for that is a new code. What it did before stays with the cadre
// it was bound to then.
func (h *H) bind(c *bot.Context) error {
	var was storage.Cadre
	if c.Stored.SenderCadre != 0 {
		var err error
		if was, err = h.o.Store.CadreByID(c, c.Stored.SenderCadre); err != nil {
			return err
		}
	}
	code := strings.TrimSpace(c.Args)
	if code == "" {
		return bot.Say("请在命令后面写上绑定码，例如：/绑定 123456。绑定码请向管理员索取。")
	}
	cd, err := h.o.Store.Bind(c, code, c.Stored.SenderID)
	switch {
	case errors.Is(err, storage.ErrBadCode):
		return bot.Say("绑定码「%s」不存在或已过期，请向管理员重新索取。", code)
	case errors.Is(err, storage.ErrUsedCode):
		return bot.Say("绑定码「%s」已经用过了，每个绑定码只能用一次。", code)
	case err != nil:
		return err
	}
	msg := fmt.Sprintf("绑定成功！你好，%s。从现在起这个账号的互动会记入你的联系台账。发送 /台账 查看，发送 /帮助 查看全部命令。", cd.Name)
	switch {
	case was.ID == cd.ID:
		msg = fmt.Sprintf("这个账号本来就绑定在你（%s）名下，无需再绑定。", cd.Name)
	case was.ID != 0:
		msg += fmt.Sprintf("\n注意：这个账号原来绑定的是团干部「%s」，现已改为「%s」。之前的互动仍记在%s的台账里。", was.Name, cd.Name, was.Name)
	}
	if c.Event.ChatKind == bot.Group && c.Stored.GroupCadre == 0 {
		msg += "\n本群还没有登记，如果这是你联系的青年群，请发送 /登记本群。"
	}
	return c.Reply(msg)
}

func (h *H) register(c *bot.Context) error {
	if c.Event.ChatKind != bot.Group {
		return bot.Say("请在要登记的青年群里发送 /登记本群。")
	}
	already, waiting, err := h.o.Store.RegisterGroup(c, c.Stored.GroupID, c.Stored.SenderCadre)
	var taken *storage.TakenError
	msg := "登记成功：本群的青年已计入你的联系名册。"
	switch {
	case errors.As(err, &taken):
		return bot.Say("%s，不能重复登记。如需更换，请联系管理员。", taken.Error())
	case err != nil:
		return err
	case already:
		msg = "本群已经登记在你名下了。"
	}
	if waiting > 0 {
		msg += fmt.Sprintf("\n登记前本群有 %d 条提问在等团干部，已转交给你，发送 /待办 查看。", waiting)
	}
	return c.Reply(msg)
}

// book compiles the current quarter's records.
func (h *H) book(ctx context.Context, quarter string) (*record.Book, error) {
	now := h.o.Now()
	span := period.QuarterOf(now)
	if quarter != "" {
		var err error
		if span, err = period.ParseQuarter(quarter); err != nil {
			return nil, bot.Say("%s", err.Error())
		}
	}
	return record.Compile(ctx, h.o.Store, h.o.Policy, span, now)
}

func (h *H) record(c *bot.Context) error {
	b, err := h.book(c, c.Args)
	if err != nil {
		return err
	}
	r := b.Of(c.Stored.SenderCadre)
	if r == nil {
		return bot.Say("没有找到你的台账，请联系管理员检查团干部名单。")
	}
	return c.Reply(record.Text(r))
}

func (h *H) rank(c *bot.Context) error {
	b, err := h.book(c, c.Args)
	if err != nil {
		return err
	}
	cd, err := h.o.Store.CadreByID(c, c.Stored.SenderCadre)
	if err != nil {
		return err
	}
	r := b.Of(cd.ID)
	title := b.Span.Name
	if r != nil {
		title = r.Committee + " " + title
	}
	return c.Reply(record.ListText(title, b.Honor(cd.Committee), b.Needs(cd.Committee)))
}

// participant is a member a command @-mentions; skip says why they are not counted as a direct
// contact ("" when they are).
type participant struct {
	id   int64
	name string
	skip string
}

// mentioned resolves the members a command @-mentions to identities, once each, and tells which
// of them count: not the cadre himself, not another cadre, not a youth who left the statistics.
func (h *H) mentioned(c *bot.Context) ([]participant, error) {
	var ps []participant
	seen := map[int64]bool{}
	for _, u := range c.Event.Mentions {
		who, err := h.o.Store.Person(c, c.Event.Platform, u)
		if err != nil {
			return nil, err
		}
		if seen[who.ID] {
			continue
		}
		seen[who.ID] = true
		p := participant{id: who.ID, name: u.Display()}
		switch {
		case who.ID == c.Stored.SenderID || who.Cadre != 0 && who.Cadre == c.Stored.SenderCadre:
			p.skip = "你自己"
		case who.Cadre != 0:
			p.skip = "团干部"
		case who.OptedOut:
			p.skip = "已退出统计"
		}
		ps = append(ps, p)
	}
	return ps, nil
}

// split returns the ids of all participants, the names of those counted, and the others with
// why they are not counted, e.g. "李华（团干部）".
func split(ps []participant) (ids []int64, counted, skipped []string) {
	for _, p := range ps {
		ids = append(ids, p.id)
		if p.skip == "" {
			counted = append(counted, p.name)
		} else {
			skipped = append(skipped, p.name+"（"+p.skip+"）")
		}
	}
	return ids, counted, skipped
}

func (h *H) activity(c *bot.Context) error {
	kind, title, day, err := parseActivity(c.Args, h.o.Now())
	if err != nil {
		return bot.Say("%s\n用法：/活动 线下|线上 标题 [日期] @参与青年…，例如：/活动 线下 社区志愿服务 2026-11-20 @张三 @李四", err.Error())
	}
	ps, err := h.mentioned(c)
	if err != nil {
		return err
	}
	ids, counted, skipped := split(ps)
	if _, err := h.o.Store.LogActivity(c, storage.Activity{Cadre: c.Stored.SenderCadre, Kind: kind, Title: title, Day: day,
		Participants: ids, MessageID: c.Stored.MessageID}); err != nil {
		return err
	}
	who := "没有 @参与青年，只记活动次数"
	switch {
	case len(counted) > 0:
		who = "参与青年 " + strings.Join(counted, "、") + "，每人计一次直接联系"
	case len(skipped) > 0:
		who = "没有可计入的参与青年，只记活动次数"
	}
	if len(skipped) > 0 {
		who += "；" + strings.Join(skipped, "、") + " 不计入直接联系"
	}
	when := period.Day(day)
	if q := period.Quarter(day); q != period.Quarter(h.o.Now()) {
		when += "，计入 " + q + " 的台账"
	}
	return c.Reply(fmt.Sprintf("已登记%s「%s」（%s）：%s。", record.ActivityNames[kind], title, when, who))
}

func (h *H) meet(c *bot.Context) error {
	ps, err := h.mentioned(c)
	if err != nil {
		return err
	}
	if len(ps) == 0 {
		return bot.Say("请 @ 面对面交流的青年，例如：/见面 @张三 聊了考研和实习的打算")
	}
	ids, counted, skipped := split(ps)
	if len(counted) == 0 {
		return bot.Say("没有登记：%s 不计入直接联系。面对面交流请 @ 你联系的青年，例如：/见面 @张三 聊了考研和实习的打算", strings.Join(skipped, "、"))
	}
	note := stripMentions(c.Args)
	title := "面对面交流"
	if _, err := h.o.Store.LogActivity(c, storage.Activity{Cadre: c.Stored.SenderCadre, Kind: "face_to_face", Title: title, Day: h.o.Now(),
		Note: note, Participants: ids, MessageID: c.Stored.MessageID}); err != nil {
		return err
	}
	msg := fmt.Sprintf("已登记与 %s 的面对面交流。", strings.Join(counted, "、"))
	if len(skipped) > 0 {
		msg += strings.Join(skipped, "、") + " 不计入直接联系。"
	}
	return c.Reply(msg)
}

func (h *H) topics(c *bot.Context) error {
	if c.Event.ChatKind != bot.Group {
		return bot.Say("/话题 请在群里使用，看的是本群本周的话题。")
	}
	w := period.Week(h.o.Now())
	ts, ks, err := h.o.Store.TopTopics(c, []int64{c.Stored.GroupID}, w, w, 5)
	if err != nil {
		return err
	}
	if len(ts) == 0 && len(ks) == 0 {
		return c.Reply("本周群里还没有统计到话题。发消息时用 #话题# 标出主题，会单独统计。")
	}
	var b strings.Builder
	fmt.Fprintf(&b, "本群本周（%s）热门话题：\n", w)
	for i, t := range ts {
		fmt.Fprintf(&b, "%d. %s（%d 条）\n", i+1, t.Name, t.N)
	}
	if len(ks) > 0 {
		b.WriteString("关键词：")
		var ws []string
		for _, k := range ks {
			ws = append(ws, fmt.Sprintf("%s(%d)", k.Name, k.N))
		}
		b.WriteString(strings.Join(ws, " "))
	}
	return c.Reply(strings.TrimRight(b.String(), "\n"))
}

func (h *H) optOut(c *bot.Context) error {
	if c.Stored.SenderCadre != 0 {
		return bot.Say("你是已绑定的团干部，团干部的工作记录不能退出统计。")
	}
	if c.Stored.OptedOut {
		return c.Reply("你已经退出统计了，小助手不会保存你的发言内容。")
	}
	if err := h.o.Store.OptOut(c, c.Stored.SenderID); err != nil {
		return err
	}
	return c.Reply("已为你退出统计：之前保存的发言内容已删除，以后不再统计你的发言和互动；" +
		"你和团干部以前的互动也不再计入他们的联系台账。\n" +
		"你的昵称、群成员、活动参与和提问记录还保留着；如需把这些也全部删除，请发送 /删除我的数据 确认。")
}

func (h *H) erase(c *bot.Context) error {
	if strings.TrimSpace(c.Args) != "确认" {
		return c.Reply("这会删除小助手保存的关于你的全部数据（发言内容、昵称记录、互动和活动记录），并且以后不再统计你。确定的话请发送：/删除我的数据 确认")
	}
	if c.Stored.SenderCadre != 0 {
		return bot.Say("你是已绑定的团干部，工作记录需要保留，不能在这里删除。如有需要请联系管理员。")
	}
	if err := h.o.Store.Erase(c, c.Stored.SenderID); err != nil {
		return err
	}
	return c.Reply("已删除你的全部数据，以后也不再统计你的发言。")
}

// introduce is middleware: a new group gets the introduction, whatever its first message is,
// before that message is handled.
func (h *H) introduce(next bot.Handler) bot.Handler {
	return func(c *bot.Context) error {
		if c.Stored.NewGroup && h.o.Intro {
			if err := c.Send(bot.Outgoing{Chat: c.Chat(), Text: h.intro(c.Stored.GroupCadre != 0),
				Key: "intro:" + string(c.Event.Platform) + ":" + c.Event.ChatID}); err != nil {
				return err
			}
		}
		return next(c)
	}
}

// onMessage handles what is not a command: @bot and private messages are questions; a cadre
// quoting a handed-off question answers it.
func (h *H) onMessage(c *bot.Context) error {
	ev := c.Event
	if ev.Kind == bot.System {
		return nil
	}
	if ev.ReplyTo != "" && c.Stored.SenderCadre != 0 {
		q, err := h.o.Store.QuestionByMessage(c, ev.Platform, ev.ChatID, ev.ReplyTo)
		if err == nil && q.Status == "open" {
			return h.answer(c, q.ID, strings.TrimSpace(ev.Text))
		}
		if err != nil && !errors.Is(err, storage.ErrNotFound) {
			return err
		}
	}
	if ev.Kind == bot.Text && (ev.AtBot || ev.ChatKind == bot.Private) {
		if ev.ChatKind == bot.Private && c.Stored.SenderCadre != 0 {
			return nil // a cadre's private chat with the bot is not a question
		}
		return h.question(c, strings.TrimSpace(ev.Text))
	}
	return nil
}

func (h *H) intro(registered bool) string {
	s := fmt.Sprintf("大家好，我是%s，帮助本群团干部记录“1+100”直接联系青年的工作。\n"+
		"隐私说明：我只统计发言次数、互动和话题，不保存图片和文件；统计只用于团干部的联系台账。"+
		"不想被统计的同学请发送 /退出统计，删除全部数据请发送 /删除我的数据。\n有问题可以 @我 提问，发送 /帮助 查看命令。", h.o.BotName)
	if !registered {
		s += "\n团干部请先私聊或在群里发送「/绑定 绑定码」，再发送 /登记本群。"
	}
	return s
}
