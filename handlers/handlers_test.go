package handlers

import (
	"context"
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

// world is a group 青年群 registered to the cadre 王小明, with a second cadre 李华 in the same
// committee, the youths 张三 and 赵六, and 赵六 out of the statistics.
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
	Register(w.r, Options{Store: db, Policy: record.DefaultPolicy(), Now: func() time.Time { return now }})
	w.say("王小明", "/登记本群")
	w.say("张三", "大家好")
	w.say("赵六", "/退出统计")
	return w
}

// say sends text from a member to the group, "@名字" words mentioning members, and returns the
// bot's last reply.
func (w *world) say(from, text string) string {
	w.t.Helper()
	w.n++
	ev := bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: "g1", ChatName: "青年群", MsgID: strconv.Itoa(w.n),
		Sender: bot.User{ID: from, Name: from}, Kind: bot.Text, Text: text, Time: w.now}
	for _, f := range strings.Fields(text) {
		if name, ok := strings.CutPrefix(f, "@"); ok && name != "" {
			ev.Mentions = append(ev.Mentions, bot.User{ID: name, Name: name})
		}
	}
	sts, err := w.db.IngestBatch(w.ctx, []bot.Incoming{{Event: ev}})
	if err != nil {
		w.t.Fatal(err)
	}
	before := len(w.out.Sent())
	if err := w.r.Serve(bot.NewContext(w.ctx, &ev, sts[0], w.out, nil)); err != nil {
		w.t.Fatal(err)
	}
	if len(w.out.Sent()) == before {
		return ""
	}
	return last(w.out).Text
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
