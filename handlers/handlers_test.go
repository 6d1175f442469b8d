package handlers

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/bot/bottest"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

// world is the handlers over a fresh database: the committee 城区团委 with two cadres, 王小明
// and 李华, each bound to the QQ user of that name. newWorld adds a group g1 (青年群) registered
// to 王小明, the youths 张三 and 赵六, and 赵六 out of the statistics; newBare adds nothing.
type world struct {
	t      *testing.T
	ctx    context.Context
	db     *storage.DB
	r      *bot.Router
	out    *bottest.Outbox
	now    time.Time
	cadres map[string]int64
	n      int
}

func newWorld(t *testing.T, now time.Time) *world {
	t.Helper()
	return newWorldPolicy(t, now, record.DefaultPolicy())
}

// newWorldPolicy is newWorld with another counting and ranking policy.
func newWorldPolicy(t *testing.T, now time.Time, p record.Policy) *world {
	t.Helper()
	w := newBare(t, now, Options{Policy: p})
	w.say("王小明", "/登记本群")
	w.say("张三", "大家好")
	w.say("赵六", "/退出统计")
	return w
}

// newBare is the database with its committee and cadres, and the handlers registered with o
// (its store, clock and, when unset, policy filled in); no chat has happened yet.
func newBare(t *testing.T, now time.Time, o Options) *world {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "h.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	db.Now = func() time.Time { return now }
	if _, err := db.PutCommittee(ctx, "城区团委", "", ""); err != nil {
		t.Fatal(err)
	}
	w := &world{t: t, ctx: ctx, db: db, r: bot.NewRouter(), out: &bottest.Outbox{}, now: now, cadres: map[string]int64{}}
	for _, name := range []string{"王小明", "李华"} {
		id, err := db.PutCadre(ctx, storage.Cadre{Name: name, Kind: "full_time", Target: 100}, "城区团委")
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.BindIdentity(ctx, bot.QQ, bot.User{ID: name, Name: name}, id); err != nil {
			t.Fatal(err)
		}
		w.cadres[name] = id
	}
	w.r.Use(bot.Errors())
	o.Store, o.Now = db, func() time.Time { return now }
	if o.Policy.HonorSize == 0 {
		o.Policy = record.DefaultPolicy()
	}
	Register(w.r, o)
	return w
}

// say sends text from a member to the group 青年群; see sayIn.
func (w *world) say(from, text string) string { return w.sayIn("g1", from, text, "") }

// sayIn sends text from a member to a group, quoting message replyTo if set, "@名字" words
// mentioning members, and returns everything the bot sent in answer, one message a line ("" for
// nothing), to the group and to anyone privately. Message ids count up from 1.
func (w *world) sayIn(chat, from, text, replyTo string) string {
	w.t.Helper()
	before := len(w.out.Sent())
	w.send(chat, from, text, false, replyTo)
	var texts []string
	for _, m := range w.out.Sent()[before:] {
		texts = append(texts, m.Text)
	}
	return strings.Join(texts, "\n")
}

// send stores and handles a text message from a member in a chat (a group, or a private chat
// with the bot when chat is empty), @-ing the bot when atBot is set, and returns its message id.
func (w *world) send(chat, from, text string, atBot bool, replyTo string) string {
	w.t.Helper()
	w.n++
	ev := bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: chat, ChatName: chat, MsgID: strconv.Itoa(w.n),
		Sender: bot.User{ID: from, Name: from}, Kind: bot.Text, Text: text, AtBot: atBot, ReplyTo: replyTo, Time: w.now}
	if chat == "" {
		ev.ChatKind, ev.ChatID, ev.ChatName = bot.Private, from, from
	}
	for _, f := range strings.Fields(text) {
		if name, ok := strings.CutPrefix(f, "@"); ok && name != "" {
			ev.Mentions = append(ev.Mentions, bot.User{ID: name, Name: name})
		}
	}
	sts, err := w.db.IngestBatch(w.ctx, []bot.Incoming{{Event: ev}})
	if err != nil {
		w.t.Fatal(err)
	}
	if err := w.r.Serve(bot.NewContext(w.ctx, &ev, sts[0], w.out, nil)); err != nil {
		w.t.Fatal(err)
	}
	return ev.MsgID
}

// reached is how many youths the cadre reached this quarter.
func (w *world) reached(cadre string) int {
	w.t.Helper()
	id := w.cadres[cadre]
	f, err := w.db.Facts(w.ctx, period.QuarterOf(w.now), id)
	if err != nil {
		w.t.Fatal(err)
	}
	if f[id] == nil {
		return 0
	}
	return f[id].Reached
}

// check fails when reply lacks one of want or holds one of not.
func check(t *testing.T, reply string, want, not []string) {
	t.Helper()
	for _, s := range want {
		if !strings.Contains(reply, s) {
			t.Errorf("reply %q lacks %q", reply, s)
		}
	}
	for _, s := range not {
		if strings.Contains(reply, s) {
			t.Errorf("reply %q should not say %q", reply, s)
		}
	}
}

// TestContactOnlyCounted: /见面 and /活动 claim a direct contact only for the youths it is
// counted for; the cadre himself, other cadres and youths out of the statistics are named as not
// counted, and a face-to-face talk with none of them is refused.
func TestContactOnlyCounted(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		name      string
		cmd       string
		want, not []string
		reached   int
	}{
		{"meet oneself", "/见面 @王小明 自己", []string{"没有登记", "王小明（你自己）"}, []string{"已登记"}, 0},
		{"meet a cadre", "/见面 @李华 交流工作", []string{"没有登记", "李华（团干部）"}, []string{"已登记"}, 0},
		{"meet an opted-out youth", "/见面 @赵六 聊天", []string{"没有登记", "赵六（已退出统计）"}, []string{"已登记"}, 0},
		{"meet a youth", "/见面 @张三 聊了实习", []string{"已登记与 张三 的面对面交流"}, []string{"不计入"}, 1},
		{"meet a youth and a cadre", "/见面 @张三 @李华 聊了实习", []string{"已登记与 张三 的面对面交流", "李华（团干部） 不计入"}, nil, 1},
		{"activity with cadres only", "/活动 线下 团课 @王小明 @李华",
			[]string{"已登记线下活动「团课」", "没有可计入的参与青年", "王小明（你自己）、李华（团干部） 不计入直接联系"}, []string{"计一次直接联系"}, 0},
		{"activity mixed", "/活动 线下 团课 @张三 @李华 @赵六 @张三",
			[]string{"参与青年 张三，每人计一次直接联系", "李华（团干部）、赵六（已退出统计） 不计入直接联系"}, []string{"张三、张三"}, 1},
		{"activity without anyone", "/活动 线上 读书会", []string{"没有 @参与青年，只记活动次数"}, []string{"不计入"}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, now)
			check(t, w.say("王小明", tt.cmd), tt.want, tt.not)
			if got := w.reached("王小明"); got != tt.reached {
				t.Errorf("reached %d youths, want %d", got, tt.reached)
			}
		})
	}
}

// TestAnswerOwnQuestionsOnly: a question handed to 王小明 is answered and counted only by him,
// by /答 or by quoting it; 李华 is told whose it is. A question asked before its group was
// registered goes to the cadre who registers it, and only that cadre may answer it.
func TestAnswerOwnQuestionsOnly(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		name      string
		chat      string // where the youth asks: g1 is 王小明's, g2 is registered by 李华 after the question
		by, in    string // who answers, in which group
		quote     bool   // by quoting the question instead of /答
		want, not []string
		answered  bool
	}{
		{"own question", "g1", "王小明", "g1", false, []string{"已记录对提问 #1 的答复"}, nil, true},
		{"own question quoted", "g1", "王小明", "g1", true, []string{"已记录对提问 #1 的答复"}, nil, true},
		{"another cadre's question", "g1", "李华", "g1", false, []string{"提问 #1 转交给了团干部王小明，只能由王小明答复"}, []string{"已记录"}, false},
		{"another cadre's question quoted", "g1", "李华", "g1", true, []string{"只能由王小明答复"}, []string{"已记录"}, false},
		{"another cadre's question from his group", "g1", "李华", "g2", false, []string{"只能由王小明答复"}, []string{"已记录"}, false},
		{"unassigned, in the group now registered to him", "g2", "李华", "g2", false, []string{"已记录对提问 #1 的答复"}, nil, true},
		{"handed over at registration, answered by another cadre", "g2", "王小明", "g1", false, []string{"只能由李华答复"}, []string{"已记录"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, now)
			asked := w.n + 1
			w.sayIn(tt.chat, "张三", "/问 这个难题怎么办？", "")
			w.sayIn("g2", "李华", "/登记本群", "")
			qs, err := w.db.OpenQuestions(w.ctx, 0)
			if err != nil || len(qs) != 1 || qs[0].ID != 1 {
				t.Fatalf("open questions = %+v, %v; want #1", qs, err)
			}
			var reply string
			if tt.quote {
				reply = w.sayIn(tt.in, tt.by, "去团委办公室登记就行", strconv.Itoa(asked))
			} else {
				reply = w.sayIn(tt.in, tt.by, "/答 1 去团委办公室登记就行", "")
			}
			check(t, reply, tt.want, tt.not)
			open, err := w.db.OpenQuestions(w.ctx, 0)
			if err != nil {
				t.Fatal(err)
			}
			if got := len(open) == 0; got != tt.answered {
				t.Errorf("answered = %v, want %v", got, tt.answered)
			}
			f, err := w.db.Facts(w.ctx, period.QuarterOf(now), w.cadres[tt.by])
			if err != nil {
				t.Fatal(err)
			}
			n := 0
			if f[w.cadres[tt.by]] != nil {
				n = f[w.cadres[tt.by]].ByKind["answer"]
			}
			if want := map[bool]int{true: 1}[tt.answered]; n != want {
				t.Errorf("%s has %d answer interactions, want %d", tt.by, n, want)
			}
		})
	}
}

// TestAnswerPrivateQuestion: a question asked in a private chat belongs to no group and no
// cadre, so any cadre may answer it.
func TestAnswerPrivateQuestion(t *testing.T) {
	w := newWorld(t, time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone))
	w.sayIn("", "张三", "/问 入团需要什么条件？", "")
	qs, err := w.db.OpenQuestions(w.ctx, 0)
	if err != nil || len(qs) != 1 || qs[0].GroupID != 0 || qs[0].Cadre != 0 {
		t.Fatalf("open questions = %+v, %v; want one private question for nobody", qs, err)
	}
	check(t, w.say("李华", fmt.Sprintf("/答 %d 先写入团申请书", qs[0].ID)), []string{"团干部的答复：先写入团申请书", "已记录对提问"}, []string{"还没有转交"})
	if qs, err := w.db.OpenQuestions(w.ctx, 0); err != nil || len(qs) != 0 {
		t.Fatalf("open questions after the answer = %+v, %v", qs, err)
	}
}

// TestActivityDates: /活动 takes its date in the common ways of writing one, keeps it out of the
// title, refuses days to come, names the quarter a day outside the current one counts for, and
// answers a date it cannot read with the forms it can.
func TestActivityDates(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		args      string
		want, not []string
	}{
		{"线下 志愿服务 2026-11-20 @张三", []string{"「志愿服务」（2026-11-20）", "参与青年 张三"}, []string{"计入 2026Q4"}},
		{"线下 志愿服务 2026/11/20 @张三", []string{"「志愿服务」（2026-11-20）", "参与青年 张三"}, nil},
		{"线下 志愿服务 2026.11.20", []string{"「志愿服务」（2026-11-20）"}, nil},
		{"线下 志愿服务 2026年11月20日", []string{"「志愿服务」（2026-11-20）"}, nil},
		{"线下 11月20日 志愿服务", []string{"「志愿服务」（2026-11-20）"}, nil},
		{"线下 志愿服务 11/20", []string{"「志愿服务」（2026-11-20）"}, nil},
		{"线下 志愿服务 11/5", []string{"「志愿服务」（2026-11-05）"}, nil},
		{"线上 Go 1.21 学习会", []string{"「Go 1.21 学习会」（2026-11-25）"}, nil},
		{"线下 志愿服务 2026/9/30", []string{"「志愿服务」（2026-09-30，计入 2026Q3 的台账）"}, nil},
		{"线下 志愿服务 11/26", []string{"活动日期 11/26 还没到"}, []string{"已登记"}},
		{"线下 志愿服务 12月1日", []string{"还没到"}, []string{"已登记"}},
		{"线下 志愿服务 2026/13/01", []string{"日期「2026/13/01」不存在", "11月20日"}, []string{"已登记"}},
		{"线下 志愿服务 2月30日", []string{"日期「2月30日」不存在"}, []string{"已登记"}},
		{"线下 志愿服务 2026/11", []string{"日期「2026/11」看不懂", "2026/11/20"}, []string{"已登记"}},
	}
	for _, tt := range tests {
		t.Run(tt.args, func(t *testing.T) {
			w := newWorld(t, now)
			check(t, w.say("王小明", "/活动 "+tt.args), tt.want, tt.not)
		})
	}
}

// TestActivityDateAcrossNewYear: early in January, a month and day without a year that lies
// far ahead means last year's; one a few days ahead is still a day to come.
func TestActivityDateAcrossNewYear(t *testing.T) {
	now := time.Date(2027, 1, 3, 10, 0, 0, 0, period.Zone)
	for _, tt := range []struct {
		args      string
		want, not []string
	}{
		{"线下 志愿服务 12/28", []string{"「志愿服务」（2026-12-28，计入 2026Q4 的台账）"}, nil},
		{"线下 志愿服务 12月30日", []string{"（2026-12-30，计入 2026Q4 的台账）"}, nil},
		{"线下 志愿服务 1/2", []string{"「志愿服务」（2027-01-02）"}, nil},
		{"线下 志愿服务 1/5", []string{"活动日期 1/5 还没到"}, []string{"已登记"}},
	} {
		t.Run(tt.args, func(t *testing.T) {
			w := newWorld(t, now)
			check(t, w.say("王小明", "/活动 "+tt.args), tt.want, tt.not)
		})
	}
}

// TestRecordVariant: 台帐, the common variant of 台账, opens the record too.
func TestRecordVariant(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		cmd, want string
	}{
		{"/台账", "【联系台账】王小明"},
		{"/台帐", "【联系台账】王小明"},
		{"/台帐 2026Q3", "【联系台账】王小明（城区团委，专职）2026Q3"},
		{"/帮助 台帐", "/台账 [2026Q4]"},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			w := newWorld(t, now)
			check(t, w.say("王小明", tt.cmd), []string{tt.want}, []string{"没有「"})
		})
	}
}

// TestRankEndedQuarter: /排行 for a quarter that has ended says so for the items behind instead
// of counting days left; the current quarter still counts them.
func TestRankEndedQuarter(t *testing.T) {
	now := time.Date(2026, 12, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		cmd       string
		want, not []string
	}{
		{"/排行", []string{"城区团委 2026Q4", "王小明（城区团委）", "本季度仅剩 6 天"}, []string{"季度已结束"}},
		{"/排行 2026Q3", []string{"2026Q3", "王小明（城区团委）", "季度已结束"}, []string{"仅剩"}},
		{"/排行 2025Q1", []string{"2025Q1", "王小明（城区团委）", "季度已结束"}, []string{"仅剩"}},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			w := newWorld(t, now)
			check(t, w.say("王小明", tt.cmd), tt.want, tt.not)
		})
	}
}

// TestRankBothLists: a cadre with points but behind on coverage is on both lists; the reply
// says the needs-effort list is about coverage and plan progress, not points.
func TestRankBothLists(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		name      string
		before    []string // what 王小明 says first
		want, not []string
	}{
		{"on both lists", []string{"@张三 你好"}, []string{"1. 王小明", "· 王小明", "加油榜（看联系覆盖率和季度“五个一”进度，不看积分"}, nil},
		{"no points", nil, []string{"光荣榜：\n  暂无", "· 王小明", "不看积分"}, []string{"1. 王小明"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, now)
			for _, s := range tt.before {
				w.say("王小明", s)
			}
			check(t, w.say("王小明", "/排行"), tt.want, tt.not)
		})
	}
}

// TestRankTies: equal points share a place and the next place is skipped (1, 1, 3), in /台账
// and on the /排行 honor roll alike.
func TestRankTies(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		name      string
		before    [][2]string // who says what first
		cmd, by   string
		want, not []string
	}{
		{"both at 0, 王小明", nil, "/台账", "王小明", []string{"排名：本单位 1/2，全部 1/2"}, nil},
		{"both at 0, 李华", nil, "/台账", "李华", []string{"排名：本单位 1/2，全部 1/2"}, nil},
		{"equal points, 台账", [][2]string{{"王小明", "@张三 你好"}, {"李华", "@张三 你好"}}, "/台账", "王小明", []string{"排名：本单位 1/2，全部 1/2"}, nil},
		{"equal points, 排行", [][2]string{{"王小明", "@张三 你好"}, {"李华", "@张三 你好"}}, "/排行", "王小明", []string{"1. 李华", "1. 王小明"}, []string{"2. "}},
		{"more points", [][2]string{{"王小明", "@张三 你好"}}, "/台账", "李华", []string{"排名：本单位 2/2，全部 2/2"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, now)
			for _, s := range tt.before {
				w.say(s[0], s[1])
			}
			check(t, w.say(tt.by, tt.cmd), tt.want, tt.not)
		})
	}
}

// TestHonorRollKeepsTies: the honor roll stops at its size, but not between equal points: with
// room for one, two cadres tied at the top are both on it.
func TestHonorRollKeepsTies(t *testing.T) {
	p := record.DefaultPolicy()
	p.HonorSize = 1
	w := newWorldPolicy(t, time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone), p)
	w.say("王小明", "@张三 你好")
	w.say("李华", "@张三 你好")
	check(t, w.say("王小明", "/排行"), []string{"1. 李华", "1. 王小明"}, nil)
	w.say("王小明", "/见面 @张三 聊了实习的打算")
	check(t, w.say("王小明", "/排行"), []string{"1. 王小明"}, []string{"1. 李华", "2. 李华"})
}

// TestPlanFollowsTarget: the coverage item of the quarterly plan reads with the cadre's own
// target, in youths, and /台账 and /排行 say the same.
func TestPlanFollowsTarget(t *testing.T) {
	now := time.Date(2026, 12, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		name      string
		target    int
		cmd       string
		want, not []string
	}{
		{"part-time 台账", 10, "/台账", []string{"联系十名青年 1/10 人 ✗"}, []string{"一百", "%/100"}},
		{"part-time 排行", 10, "/排行", []string{"「联系十名青年」完成 1/10 人"}, []string{"完成 10/100", "完成 1/100"}},
		{"full-time 台账", 100, "/台账", []string{"联系一百名青年 1/100 人 ✗"}, []string{"%/100"}},
		{"full-time 排行", 100, "/排行", []string{"「联系一百名青年」完成 1/100 人"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, now)
			id, err := w.db.PutCadre(w.ctx, storage.Cadre{Name: "小陈", Kind: "part_time", Target: tt.target}, "城区团委")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := w.db.BindIdentity(w.ctx, bot.QQ, bot.User{ID: "小陈", Name: "小陈"}, id); err != nil {
				t.Fatal(err)
			}
			w.say("小陈", "@张三 你好")
			check(t, w.say("小陈", tt.cmd), tt.want, tt.not)
		})
	}
}

// TestOptOutReply: /退出统计 says plainly that past interactions leave the cadres' records too,
// and what /删除我的数据 removes beyond that.
func TestOptOutReply(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		name      string
		who       string
		want, not []string
	}{
		{"youth", "张三", []string{"已为你退出统计", "以前的互动也不再计入他们的联系台账", "昵称、群成员、活动参与和提问记录还保留着", "/删除我的数据 确认"}, nil},
		{"already out", "赵六", []string{"你已经退出统计了"}, []string{"已为你退出统计"}},
		{"cadre", "王小明", []string{"不能退出统计"}, []string{"已为你退出统计"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, now)
			w.say("王小明", "@张三 你好")
			if got := w.reached("王小明"); got != 1 {
				t.Fatalf("reached %d youths before, want 1", got)
			}
			check(t, w.say(tt.who, "/退出统计"), tt.want, tt.not)
			if want := map[bool]int{true: 0, false: 1}[tt.who == "张三"]; w.reached("王小明") != want {
				t.Errorf("reached %d youths after, want %d", w.reached("王小明"), want)
			}
		})
	}
}

// TestBindSwitchSaysSo: a second code moves an account to the code's cadre, never silently:
// the reply names the cadre it leaves, and /台账 then opens the new one's record.
func TestBindSwitchSaysSo(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		name       string
		who, owner string // who sends /绑定, whose code it is
		want, not  []string
		record     string // what the sender's /台账 then opens
	}{
		{"another cadre's code", "王小明", "李华", []string{"绑定成功！你好，李华", "原来绑定的是团干部「王小明」，现已改为「李华」", "仍记在王小明的台账里"}, nil, "【联系台账】李华"},
		{"own code again", "王小明", "王小明", []string{"本来就绑定在你（王小明）名下"}, []string{"绑定成功", "原来绑定"}, "【联系台账】王小明"},
		{"unbound account", "新账号", "李华", []string{"绑定成功！你好，李华"}, []string{"原来绑定"}, "【联系台账】李华"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, now)
			code, err := w.db.NewBindCode(w.ctx, tt.owner, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			check(t, w.say(tt.who, "/绑定 "+code), tt.want, tt.not)
			check(t, w.say(tt.who, "/台账"), []string{tt.record}, nil)
		})
	}
}

// TestCommandSpelling: a colon, ASCII or full-width, may follow the command name; chat that
// merely starts with a slash and a space, or is a bare slash, is not answered as a command.
func TestCommandSpelling(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, period.Zone)
	tests := []struct {
		cmd       string
		want, not []string
	}{
		{"/活动：线下 团课", []string{"已登记线下活动「团课」"}, []string{"没有「"}},
		{"/活动:线上 读书会", []string{"已登记线上活动「读书会」"}, []string{"没有「"}},
		{"/台账：", []string{"【联系台账】王小明"}, []string{"没有「"}},
		{"/帮助：台账", []string{"/台账 [2026Q4]"}, []string{"没有「"}},
		{"/ 我觉得这样可以", nil, []string{"没有「", "命令"}},
		{"／", nil, []string{"没有「", "命令"}},
	}
	for _, tt := range tests {
		t.Run(tt.cmd, func(t *testing.T) {
			w := newWorld(t, now)
			reply := w.say("王小明", tt.cmd)
			check(t, reply, tt.want, tt.not)
			if tt.want == nil && reply != "" { // chat, not a command: no answer at all
				t.Errorf("%q answered with %q", tt.cmd, reply)
			}
		})
	}
}
