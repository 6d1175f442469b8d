package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	"youthlink/bot"
	"youthlink/config"
	"youthlink/period"
	"youthlink/record"
)

// demoConfig is the built-in sample: a city committee with two county committees and three cadres.
const demoConfig = `
committees:
  - {name: 示范市团委, level: city}
  - {name: 城区团委, parent: 示范市团委, level: county}
  - {name: 高新区团委, parent: 示范市团委, level: county}
cadres:
  - {name: 王小明, committee: 城区团委, kind: full_time}
  - {name: 李华, committee: 高新区团委, kind: seconded}
  - {name: 赵敏, committee: 城区团委, kind: part_time}
`

// demoNow is when the demo "is": the Monday morning after the sample week (2026-W47).
var demoNow = time.Date(2026, 11, 23, 9, 0, 0, 0, period.Zone)

type demoGroup struct {
	name, cadre string
	youths      []string
	talk        []string
}

var demoGroups = []demoGroup{
	{"城区青年志愿者群", "王小明",
		[]string{"张三", "李四", "王芳", "刘洋", "陈晨", "杨帆", "赵磊", "孙悦"},
		[]string{"周六的志愿服务在哪里集合？", "社区敬老院需要几个人帮忙", "我报名参加环保志愿活动", "最近在准备考研，压力有点大",
			"有没有人一起去图书馆自习", "实习简历怎么写比较好", "这周末的义务植树还缺人吗", "谢谢团委组织的活动，很有意义"}},
	{"高新区青年创业群", "李华",
		[]string{"周杰", "吴敏", "郑凯", "冯雪", "褚亮", "卫强"},
		[]string{"创业贷款的政策有更新吗", "园区的招聘会什么时候开", "我们团队在找前端工程师", "有没有创业培训的课程",
			"社保缴纳有什么新规定", "求推荐靠谱的孵化器"}},
	{"社区团支部群", "赵敏",
		[]string{"蒋丽", "沈涛", "韩梅", "朱琳", "秦峰"},
		[]string{"这个月的主题团日活动是什么", "入团需要准备什么材料", "篮球赛报名截止了吗", "团费怎么交"}},
}

func cmdDemo(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "回放内置的一周样例群聊并打印台账与周报摘要", stdout, stderr)
	if err := parse(fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "youthlink-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	return runDemo(ctx, filepath.Join(dir, "demo.db"), stdout)
}

// capture is a sender that keeps what the bot said.
type capture struct {
	mu   sync.Mutex
	sent []bot.Outgoing
}

func (c *capture) Send(_ context.Context, m bot.Outgoing) (string, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.sent = append(c.sent, m)
	return fmt.Sprint(len(c.sent)), nil
}

// runDemo replays the sample week into a database at path and prints what it yields.
func runDemo(ctx context.Context, path string, w io.Writer) error {
	cfg, err := config.Parse("内置样例配置", []byte(demoConfig))
	if err != nil {
		return err
	}
	var clockMu sync.Mutex // the outbox reads the clock from its own goroutine
	clock := demoNow
	now := func() time.Time { clockMu.Lock(); defer clockMu.Unlock(); return clock }
	setClock := func(t time.Time) { clockMu.Lock(); clock = t; clockMu.Unlock() }
	a, err := openApp(ctx, cfg, appOptions{db: path, now: now, analyze: analyzer(cfg)})
	if err != nil {
		return err
	}
	defer a.close()
	out := &capture{}
	a.addAdapter(bot.WeChat, out, bot.Limits{})
	stop := a.start(ctx)
	defer stop()

	evs := demoEvents()
	for _, c := range cfg.Cadres {
		cd, err := a.db.CadreByName(ctx, c.Name)
		if err != nil {
			return err
		}
		if _, err := a.db.BindIdentity(ctx, bot.WeChat, bot.User{ID: "wx-" + c.Name, Name: c.Name}, cd.ID); err != nil {
			return err
		}
	}
	fmt.Fprintf(w, "回放样例：%d 个群、%d 名团干部，%s 一周 %d 条消息……\n", len(demoGroups), len(cfg.Cadres), period.Week(evs[0].Time), len(evs))
	for _, ev := range evs {
		setClock(ev.Time)
		if _, err := a.engine.DeliverWait(ctx, ev); err != nil {
			return fmt.Errorf("回放：%w", err)
		}
		if err := a.settle(ctx); err != nil {
			return err
		}
	}
	setClock(demoNow)
	if err := a.settle(ctx); err != nil {
		return err
	}

	book, err := record.Compile(ctx, a.db, cfg.Policy(), period.QuarterOf(demoNow), demoNow)
	if err != nil {
		return err
	}
	cd, err := a.db.CadreByName(ctx, "王小明")
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n"+record.Text(book.Of(cd.ID)))
	root := book.Committees[0]
	fmt.Fprintln(w, "\n"+record.ListText(root.Name+" "+book.Span.Name, book.Honor(root.ID), book.Needs(root.ID)))
	summary, err := weekSummary(ctx, a, book, root.ID, period.WeekOf(demoNow.AddDate(0, 0, -7)))
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\n"+summary)
	fmt.Fprintf(w, "\n机器人在这一周里发出 %d 条消息（回复命令、自我介绍、转交提问）。\n", len(out.sent))
	return nil
}

// weekSummary is a digest-style summary of one committee's subtree for a week.
func weekSummary(ctx context.Context, a *app, book *record.Book, committee int64, week period.Span) (string, error) {
	wb, err := record.Compile(ctx, a.db, a.cfg.Policy(), week, a.now())
	if err != nil {
		return "", err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "【周报摘要】%s（%s 至 %s）\n", week.Name, period.Day(week.From), period.Day(week.To.Add(-time.Second)))
	active, reached := 0, 0
	kinds := map[string]int{}
	for _, r := range wb.In(committee) {
		if r.Facts.Reached > 0 || r.Facts.Messages > 0 {
			active++
		}
		reached += r.Facts.Reached
		for k, n := range r.Facts.ByKind {
			kinds[k.Label()] += n
		}
	}
	fmt.Fprintf(&b, "活跃团干部 %d 人，本周直接联系青年 %d 人次\n", active, reached)
	var ks []string
	for k, n := range kinds {
		ks = append(ks, fmt.Sprintf("%s %d", k, n))
	}
	sort.Strings(ks)
	fmt.Fprintf(&b, "互动：%s\n", strings.Join(ks, "，"))
	groups, err := a.db.Groups(ctx)
	if err != nil {
		return "", err
	}
	var ids []int64
	for _, g := range groups {
		ids = append(ids, g.ID)
	}
	topics, words, err := a.db.TopTopics(ctx, ids, week.Name, week.Name, 5)
	if err != nil {
		return "", err
	}
	if len(topics) > 0 {
		var ts []string
		for _, t := range topics {
			ts = append(ts, fmt.Sprintf("%s(%d)", t.Name, t.N))
		}
		fmt.Fprintf(&b, "热门话题：%s\n", strings.Join(ts, " "))
	}
	if len(words) > 0 {
		var ts []string
		for _, t := range words {
			ts = append(ts, fmt.Sprintf("%s(%d)", t.Name, t.N))
		}
		fmt.Fprintf(&b, "关键词：%s\n", strings.Join(ts, " "))
	}
	open, err := a.db.OpenQuestions(ctx, 0)
	if err != nil {
		return "", err
	}
	fmt.Fprintf(&b, "待答复提问：%d 条", len(open))
	return b.String(), nil
}

// demoEvents is the sample week: youths chatting, cadres @-ing and replying, a #话题#, logged
// activities and talks, a question handed to a cadre and answered. Deterministic.
func demoEvents() []bot.Event {
	rng := rand.New(rand.NewPCG(2017, 1))
	start := period.WeekOf(demoNow.AddDate(0, 0, -7)).From
	var evs []bot.Event
	seq := 0
	add := func(g demoGroup, day int, hour int, from string, text string, mentions ...string) string {
		seq++
		id := fmt.Sprintf("demo-%d", seq)
		ev := bot.Event{Platform: bot.WeChat, Account: "demo", ChatKind: bot.Group, ChatID: g.name, ChatName: g.name, MsgID: id,
			Sender: bot.User{ID: "wx-" + from, Name: from}, Kind: bot.Text, Text: text,
			Time: start.AddDate(0, 0, day).Add(time.Duration(hour)*time.Hour + time.Duration(seq)*time.Second)}
		for _, m := range mentions {
			if m == "bot" {
				ev.AtBot = true
				continue
			}
			ev.Mentions = append(ev.Mentions, bot.User{ID: "wx-" + m, Name: m})
		}
		evs = append(evs, ev)
		return id
	}
	reply := func(to string) { evs[len(evs)-1].ReplyTo = to }
	for gi, g := range demoGroups {
		add(g, 0, 8, g.cadre, "/登记本群")
		for day := 0; day < 7; day++ {
			var last []string
			for n := 0; n < 4+rng.IntN(4); n++ {
				y := g.youths[rng.IntN(len(g.youths))]
				id := add(g, day, 9+n, y, g.talk[rng.IntN(len(g.talk))])
				last = append(last, y+"|"+id)
			}
			// the cadre answers one youth by quoting and @s another
			pick := strings.Split(last[rng.IntN(len(last))], "|")
			add(g, day, 18, g.cadre, "收到，我来统筹安排")
			reply(pick[1])
			if gi != 2 || day%3 == 0 {
				y := g.youths[(day+gi)%len(g.youths)]
				add(g, day, 19, g.cadre, fmt.Sprintf("@%s 这件事你来牵个头吧", y), y)
			}
		}
		add(g, 2, 20, g.cadre, "#青年说# 大家最近最关心什么？欢迎留言")
	}
	g := demoGroups[0]
	add(g, 5, 8, g.cadre, "/活动 线下 社区敬老院志愿服务 @张三 @李四 @王芳", "张三", "李四", "王芳")
	add(g, 5, 21, g.cadre, "/见面 @刘洋 聊了考研和实习的打算", "刘洋")
	q := add(g, 3, 10, "陈晨", "@青联小助手 团员证丢了怎么补办？", "bot")
	_ = q
	add(g, 3, 12, g.cadre, "/答 1 带身份证到团支部登记，我帮你联系区团委补办")
	add(demoGroups[1], 4, 15, "吴敏", "@青联小助手 青年创业补贴怎么申请？", "bot")
	// stable, so messages logged at the same second keep their script order
	sort.SliceStable(evs, func(i, j int) bool { return evs[i].Time.Before(evs[j].Time) })
	return evs
}
