package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"time"

	"youthlink/bot"
	"youthlink/period"
	"youthlink/storage"
)

// genOptions size a synthetic province.
type genOptions struct {
	Cadres, Youths, Messages int
	Batch                    int       // messages per IngestBatch transaction
	End                      time.Time // the year of messages ends here (exclusive)
}

// genEnd is where generated years end: the Monday the digest of 2026-W47 is due.
var genEnd = time.Date(2026, 11, 23, 0, 0, 0, 0, period.Zone)

// genProvinceRoot is the root committee of a generated province.
const genProvinceRoot = "示范省团委"

func cmdGen(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("gen", "生成全省规模的合成数据（用于性能测试，结果确定）", stdout, stderr)
	dbPath := fs.String("db", "", "要写入的新数据库文件（必填，不能已存在）")
	o := genOptions{Batch: 5000, End: genEnd}
	fs.IntVar(&o.Cadres, "cadres", 1000, "团干部人数")
	fs.IntVar(&o.Youths, "youths", 100000, "青年人数")
	fs.IntVar(&o.Messages, "messages", 5000000, "一年内的群消息条数")
	fs.IntVar(&o.Batch, "batch", 5000, "每个事务写入的消息条数")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *dbPath == "" {
		fmt.Fprintln(stderr, "请用 -db 指定新数据库文件，例如：youthlink gen -db province.db")
		return errUsage
	}
	if _, err := os.Stat(*dbPath); err == nil {
		return fmt.Errorf("数据库 %s 已存在，请换一个文件名或先删除它", *dbPath)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	if o.Cadres < 1 || o.Youths < o.Cadres || o.Messages < 1 || o.Batch < 1 {
		fmt.Fprintln(stderr, "-cadres、-messages、-batch 须大于 0，-youths 不能少于 -cadres")
		return errUsage
	}
	db, err := storage.Open(ctx, *dbPath)
	if err != nil {
		return err
	}
	t0 := time.Now()
	if err := genProvince(ctx, db, o, stderr); err != nil {
		db.Close()
		return err
	}
	if err := db.Close(); err != nil { // checkpoints the WAL into the file
		return err
	}
	st, _ := os.Stat(*dbPath)
	var size int64
	if st != nil {
		size = st.Size()
	}
	fmt.Fprintf(stdout, "已生成 %s：%d 名团干部、%d 名青年、%d 条消息，用时 %v，数据库 %.1f MB\n",
		*dbPath, o.Cadres, o.Youths, o.Messages, time.Since(t0).Round(time.Second), float64(size)/1e6)
	return nil
}

// genCommittees is the tree: a province, 10 cities, 10 counties under each.
func genCommittees() (names, parents []string) {
	names, parents = []string{genProvinceRoot}, []string{""}
	for c := 1; c <= 10; c++ {
		city := fmt.Sprintf("第%02d市团委", c)
		names, parents = append(names, city), append(parents, genProvinceRoot)
		for k := 1; k <= 10; k++ {
			names, parents = append(names, fmt.Sprintf("第%02d市第%02d县团委", c, k)), append(parents, city)
		}
	}
	return names, parents
}

var genTexts = []struct {
	text           string
	topic, keyword string
	tag            bool
}{
	{"周六的志愿服务在哪里集合？", "志愿服务", "志愿", false},
	{"实习简历怎么写比较好，求指点", "就业", "简历", false},
	{"最近在准备考研，压力有点大", "学业", "考研", false},
	{"创业贷款的政策有更新吗 #政策解读#", "创业", "贷款", true},
	{"社区敬老院需要几个人帮忙", "志愿服务", "敬老院", false},
	{"谢谢团委组织的活动，很有意义", "团务", "活动", false},
	{"园区的招聘会什么时候开？", "就业", "招聘会", false},
	{"入团需要准备什么材料", "团务", "入团", false},
	{"篮球赛报名截止了吗", "文体", "篮球赛", false},
	{"#青年说# 大家最近最关心什么？", "", "关心", true},
}

// genProvince writes a deterministic synthetic province into db: committees, cadres bound to QQ
// accounts, two groups per cadre with their youths, a year of group chat in which cadres @ and
// quote youths and youths quote cadres, activities, and some questions left open. Progress goes
// to progress.
func genProvince(ctx context.Context, db *storage.DB, o genOptions, progress io.Writer) error {
	if o.Batch <= 0 {
		o.Batch = 5000
	}
	if o.End.IsZero() {
		o.End = genEnd
	}
	start := o.End.AddDate(-1, 0, 0)
	db.Now = func() time.Time { return start }
	// Keep more of the growing indexes in memory than SQLite's 2 MiB default. Measured on a
	// province (5M messages) the load rate still falls from about 4,500 to 3,000 messages a
	// second: each commit writes every index page its scattered inserts touched.
	if err := db.SetCacheSize(ctx, 1024); err != nil {
		return err
	}
	names, parents := genCommittees()
	for i, n := range names {
		if _, err := db.PutCommittee(ctx, n, parents[i], ""); err != nil {
			return err
		}
	}
	counties := names[1:]
	cadreIDs := make([]int64, o.Cadres)
	for i := range cadreIDs {
		kind := "full_time"
		if i%4 == 3 {
			kind = "part_time"
		}
		c := storage.Cadre{Name: fmt.Sprintf("团干部%04d", i), Kind: kind, Target: 100}
		if kind == "part_time" {
			c.Target = 10
		}
		// cadres sit mostly in counties; every 50th in a city, the first in the province
		comm := counties[i%len(counties)]
		switch {
		case i == 0:
			comm = genProvinceRoot
		case i%50 == 0:
			comm = fmt.Sprintf("第%02d市团委", i/50%10+1)
		}
		id, err := db.PutCadre(ctx, c, comm)
		if err != nil {
			return err
		}
		cadreIDs[i] = id
		if _, err := db.BindIdentity(ctx, bot.QQ, bot.User{ID: fmt.Sprint(9_000_000 + i), Name: c.Name}, id); err != nil {
			return err
		}
	}
	groups := 2 * o.Cadres
	groupChat := func(g int) string { return fmt.Sprint(700_000 + g) }
	cadreOf := func(g int) int { return g / 2 }
	youthIn := func(g int, rng *rand.Rand) int { // youth y belongs to group y % groups
		per := (o.Youths - g + groups - 1) / groups
		return g + groups*rng.IntN(max(per, 1))
	}
	rng := rand.New(rand.NewPCG(2026, 100))
	step := o.End.Sub(start) / time.Duration(o.Messages)
	lastYouth := make([]string, groups) // last youth message per group, for quotes
	lastCadre := make([]string, groups)
	items := make([]bot.Incoming, 0, o.Batch)
	flush := func() error {
		if len(items) == 0 {
			return nil
		}
		if _, err := db.IngestBatch(ctx, items); err != nil {
			return err
		}
		items = items[:0]
		return nil
	}
	// One opening message per group from its cadre, so the groups exist to be registered.
	for g := 0; g < groups; g++ {
		c := cadreOf(g)
		items = append(items, bot.Incoming{Event: bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Group,
			ChatID: groupChat(g), ChatName: fmt.Sprintf("青年群%04d", g), MsgID: "open", Kind: bot.Text, Text: "欢迎大家",
			Sender: bot.User{ID: fmt.Sprint(9_000_000 + c), Name: fmt.Sprintf("团干部%04d", c)}, Time: start}})
	}
	if err := flush(); err != nil {
		return err
	}
	gs, err := db.Groups(ctx)
	if err != nil {
		return err
	}
	for _, g := range gs {
		var n int
		fmt.Sscan(g.ChatID, &n)
		if _, _, err := db.RegisterGroup(ctx, g.ID, cadreIDs[cadreOf(n-700_000)]); err != nil {
			return err
		}
	}
	// A year of chat is one long burst: rollup increments are summed over a minute at a time.
	db.DeferRollups(time.Minute)
	defer db.DeferRollups(0)
	t0 := time.Now()
	for i := 0; i < o.Messages; i++ {
		g := rng.IntN(groups)
		c := cadreOf(g)
		at := start.Add(time.Duration(i)*step + time.Duration(rng.Int64N(int64(step)+1)))
		tx := genTexts[rng.IntN(len(genTexts))]
		ev := bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Group, ChatID: groupChat(g),
			MsgID: fmt.Sprint(i + 1), Kind: bot.Text, Text: tx.text, Time: at}
		// Cadres write about one message in twelve; every tenth cadre hardly ever does.
		cadreTalks := rng.IntN(12) == 0 && (c%10 != 9 || rng.IntN(10) == 0)
		if cadreTalks {
			ev.Sender = bot.User{ID: fmt.Sprint(9_000_000 + c), Name: fmt.Sprintf("团干部%04d", c)}
			y := youthIn(g, rng)
			ev.Mentions = []bot.User{{ID: fmt.Sprint(100_000_000 + y), Name: fmt.Sprintf("青年%06d", y)}}
			if lastYouth[g] != "" && rng.IntN(2) == 0 {
				ev.ReplyTo = lastYouth[g]
			}
			lastCadre[g] = ev.MsgID
		} else {
			y := youthIn(g, rng)
			ev.Sender = bot.User{ID: fmt.Sprint(100_000_000 + y), Name: fmt.Sprintf("青年%06d", y)}
			if lastCadre[g] != "" && rng.IntN(25) == 0 {
				ev.ReplyTo = lastCadre[g]
			}
			lastYouth[g] = ev.MsgID
		}
		in := bot.Incoming{Event: ev}
		if tx.topic != "" {
			in.Topics.Topics = []string{tx.topic}
		}
		if tx.tag {
			in.Topics.Tags = []string{"青年说"}
		}
		in.Topics.Keywords = []string{tx.keyword}
		items = append(items, in)
		if len(items) == o.Batch {
			if err := flush(); err != nil {
				return err
			}
		}
		if (i+1)%250_000 == 0 {
			el := time.Since(t0)
			fmt.Fprintf(progress, "gen: %d/%d 条消息（%.0f 条/秒）\n", i+1, o.Messages, float64(i+1)/el.Seconds())
		}
	}
	if err := flush(); err != nil {
		return err
	}
	if err := db.Settle(ctx); err != nil {
		return err
	}
	fmt.Fprintf(progress, "gen: 消息写完（%v），记录活动和提问……\n", time.Since(t0).Round(time.Second))
	return genActivities(ctx, db, o, cadreIDs, groups, start)
}

// genActivities logs, per cadre and quarter, offline and online activities and face-to-face
// talks (fewer for some cadres), and leaves some escalated questions open.
func genActivities(ctx context.Context, db *storage.DB, o genOptions, cadreIDs []int64, groups int, start time.Time) error {
	rng := rand.New(rand.NewPCG(7, 7))
	youth := func(c int) (int64, error) {
		g := 2*c + rng.IntN(2)
		y := g + groups*rng.IntN(max(o.Youths/groups, 1))
		return db.Identity(ctx, bot.QQ, bot.User{ID: fmt.Sprint(100_000_000 + y), Name: fmt.Sprintf("青年%06d", y)})
	}
	for q := period.QuarterOf(start); q.From.Before(o.End); q = period.QuarterOf(q.To) {
		for c, id := range cadreIDs {
			for _, a := range []struct {
				kind string
				skip int // cadres with c%skip == 0 leave this one out
			}{{"offline", 3}, {"online", 2}, {"face_to_face", 5}} {
				if c%a.skip == 0 {
					continue
				}
				day := q.From.AddDate(0, 0, 5+rng.IntN(60))
				if !day.Before(o.End) {
					continue
				}
				var ps []int64
				for range 3 {
					y, err := youth(c)
					if err != nil {
						return err
					}
					ps = append(ps, y)
				}
				if a.kind == "face_to_face" {
					ps = ps[:1]
				}
				if _, err := db.LogActivity(ctx, storage.Activity{Cadre: id, Kind: a.kind, Title: "合成活动", Day: day, Participants: ps}); err != nil {
					return err
				}
			}
		}
	}
	for c, id := range cadreIDs {
		if c%7 != 0 {
			continue
		}
		y, err := youth(c)
		if err != nil {
			return err
		}
		asked := o.End.Add(-time.Duration(1+rng.IntN(20*24)) * time.Hour)
		_, err = db.AddQuestion(ctx, storage.Question{Chat: bot.Chat{Platform: bot.QQ, Kind: bot.Group, ID: fmt.Sprint(700_000 + 2*c)},
			MsgID: fmt.Sprintf("q%d", c), Asker: y, Cadre: id, Text: "团员证丢了怎么补办？", Status: "open", Reason: "合成", AskedAt: asked})
		if err != nil {
			return err
		}
	}
	return nil
}
