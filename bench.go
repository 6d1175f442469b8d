package main

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"youthlink/bot"
	"youthlink/config"
	"youthlink/period"
	"youthlink/storage"
)

// synthChat makes n group messages among groups×youths with cadres who @ and quote youths, as
// a busy province would see them. Deterministic.
func synthChat(n, groups, youths, cadres int) []bot.Event {
	rng := rand.New(rand.NewPCG(1, 100))
	texts := []string{"周六的志愿服务在哪里集合？", "实习简历怎么写比较好，求指点", "最近在准备考研，压力有点大",
		"创业贷款的政策有更新吗 #政策解读#", "社区敬老院需要几个人帮忙", "谢谢团委组织的活动，很有意义 [图片]",
		"园区的招聘会什么时候开？https://example.org/jobs", "入团需要准备什么材料", "篮球赛报名截止了吗"}
	start := time.Date(2026, 11, 2, 8, 0, 0, 0, period.Zone)
	evs := make([]bot.Event, n)
	for i := range evs {
		g := rng.IntN(groups)
		ev := bot.Event{Platform: bot.QQ, Account: "10001", ChatKind: bot.Group, ChatID: fmt.Sprint(500000 + g),
			ChatName: fmt.Sprintf("青年群%03d", g), MsgID: fmt.Sprint(i + 1), Kind: bot.Text,
			Time: start.Add(time.Duration(i) * 700 * time.Millisecond), Text: texts[rng.IntN(len(texts))]}
		if rng.IntN(20) == 0 { // a cadre speaks, @-ing a youth and sometimes quoting
			c := g % cadres
			ev.Sender = bot.User{ID: fmt.Sprint(9000 + c), Name: fmt.Sprintf("团干部%d", c)}
			y := rng.IntN(youths)
			ev.Mentions = []bot.User{{ID: fmt.Sprint(100000 + y), Name: fmt.Sprintf("青年%d", y)}}
			if i > 10 && rng.IntN(2) == 0 {
				ev.ReplyTo = fmt.Sprint(i - rng.IntN(10))
			}
		} else {
			y := (g*youths/groups + rng.IntN(youths/groups+1)) % youths
			ev.Sender = bot.User{ID: fmt.Sprint(100000 + y), Name: fmt.Sprintf("青年%d", y)}
		}
		evs[i] = ev
	}
	return evs
}

// benchConfig has the cadres synthChat speaks for.
func benchConfig(cadres int) (*config.Config, error) {
	y := "committees:\n  - {name: 省团委}\ncadres:\n"
	for c := 0; c < cadres; c++ {
		y += fmt.Sprintf("  - {name: 团干部%d, committee: 省团委, kind: full_time}\n", c)
	}
	return config.Parse("bench", []byte(y))
}

// benchApp opens an app on db (a SQLite file or a postgres:// DSN, as openApp's -db override
// takes it) with the cadres synthChat speaks for, binds their QQ identities when bind is set,
// and starts it. stop ends the app and closes its store.
func benchApp(ctx context.Context, db string, cadres int, bind bool) (a *app, stop func(), err error) {
	cfg, err := benchConfig(cadres)
	if err != nil {
		return nil, nil, err
	}
	a, err = openApp(ctx, cfg, appOptions{db: db, analyze: analyzer(cfg)})
	if err != nil {
		return nil, nil, err
	}
	for c := 0; bind && c < cadres; c++ {
		cd, err := a.db.CadreByName(ctx, fmt.Sprintf("团干部%d", c))
		if err != nil {
			a.close()
			return nil, nil, err
		}
		if _, err := a.db.BindIdentity(ctx, bot.QQ, bot.User{ID: fmt.Sprint(9000 + c)}, cd.ID); err != nil {
			a.close()
			return nil, nil, err
		}
	}
	halt := a.start(ctx)
	return a, func() { halt(); a.close() }, nil
}

// deliverAll delivers evs to a's engine and waits until all are handled, returning how long
// that took. Every event must have been stored as new.
func deliverAll(ctx context.Context, a *app, evs []bot.Event) (time.Duration, error) {
	before := a.engine.Stats().Stored
	t0 := time.Now()
	for _, ev := range evs {
		if err := a.engine.Deliver(ctx, ev); err != nil {
			return 0, err
		}
	}
	if err := a.engine.Wait(ctx); err != nil {
		return 0, err
	}
	d := time.Since(t0)
	if n := a.engine.Stats().Stored - before; n != int64(len(evs)) {
		return 0, fmt.Errorf("engine stored %d of %d", n, len(evs))
	}
	return d, nil
}

// ingestEngine runs warm (untimed) and then evs (timed) through the full engine (normalize,
// analysis, identities, counting, rollups, handlers) into a fresh database in dir.
func ingestEngine(ctx context.Context, dir string, warm, evs []bot.Event, cadres int) (time.Duration, error) {
	a, stop, err := benchApp(ctx, filepath.Join(dir, "engine.db"), cadres, true)
	if err != nil {
		return 0, err
	}
	defer stop()
	if _, err := deliverAll(ctx, a, warm); err != nil {
		return 0, err
	}
	return deliverAll(ctx, a, evs)
}

// ingestBare inserts warm (untimed) and then evs (timed) as bare batched SQLite inserts, with
// SQLite's default checkpoints, or paced as the engine checkpoints in a burst.
func ingestBare(ctx context.Context, dir string, warm, evs []bot.Event, paced bool) (time.Duration, error) {
	name := "bare.db"
	if paced {
		name = "bare-paced.db"
	}
	db, err := storage.Open(ctx, filepath.Join(dir, name))
	if err != nil {
		return 0, err
	}
	defer db.Close()
	if err := db.BaselineInsert(ctx, warm, 2048, paced); err != nil {
		return 0, err
	}
	t0 := time.Now()
	if err := db.BaselineInsert(ctx, evs, 2048, paced); err != nil {
		return 0, err
	}
	return time.Since(t0), nil
}

// ingestScenario is one ingest measurement: the messages timed and those stored before them.
type ingestScenario struct {
	name      string
	warm, evs []bot.Event
}

// ingestScenarios are the cold start (a fresh database: every youth is new) and the everyday
// case (the same groups and youths already stored by the day before).
func ingestScenarios(n int) []ingestScenario {
	all := synthChat(2*n, benchGroups, benchYouths, benchCadres)
	return []ingestScenario{
		{name: "首日（全新数据库，青年首次出现）", evs: all[:n]},
		{name: "日常（群和青年已登记）", warm: all[:n], evs: all[n:]},
	}
}

// The synthetic province the ingest benchmarks use.
const benchGroups, benchYouths, benchCadres = 200, 20_000, 50

// rates are one round of a scenario, in messages per second: the bare baseline plain and paced
// (see storage.DB.BaselineInsert), and the engine.
type rates struct{ bare, paced, engine float64 }

// ingestRates measures one round of a scenario: the two baselines, then the engine.
func ingestRates(ctx context.Context, sc ingestScenario) (rates, error) {
	dir, err := os.MkdirTemp("", "youthlink-bench-")
	if err != nil {
		return rates{}, err
	}
	defer os.RemoveAll(dir)
	b, err := ingestBare(ctx, dir, sc.warm, sc.evs, false)
	if err != nil {
		return rates{}, err
	}
	p, err := ingestBare(ctx, dir, sc.warm, sc.evs, true)
	if err != nil {
		return rates{}, err
	}
	e, err := ingestEngine(ctx, dir, sc.warm, sc.evs, benchCadres)
	if err != nil {
		return rates{}, err
	}
	n := float64(len(sc.evs))
	return rates{bare: n / b.Seconds(), paced: n / p.Seconds(), engine: n / e.Seconds()}, nil
}

// benchIngest prints ingest rates through the engine and the two baselines, and the engine's
// ratio to each, per scenario: runs rounds, baselines and engine taking turns, medians reported.
func benchIngest(ctx context.Context, w io.Writer, n, runs int) error {
	analyzer(nil)("预热分词词典") // the dictionary loads once, outside the timing
	fmt.Fprintf(w, "写入：每种情形 %d 条群消息（%d 个群、%d 名青年、%d 名团干部），两种裸写入与引擎轮流各 %d 轮取中位数，GOMAXPROCS=%d\n",
		n, benchGroups, benchYouths, benchCadres, runs, runtime.GOMAXPROCS(0))
	for _, sc := range ingestScenarios(n) {
		var bare, paced, eng, ratio, pacedRatio []float64
		for range runs {
			r, err := ingestRates(ctx, sc)
			if err != nil {
				return err
			}
			bare, paced, eng = append(bare, r.bare), append(paced, r.paced), append(eng, r.engine)
			ratio, pacedRatio = append(ratio, r.engine/r.bare), append(pacedRatio, r.engine/r.paced)
		}
		fmt.Fprintf(w, "  %s\n", sc.name)
		fmt.Fprintf(w, "    %s%8.0f 条/秒\n", label("裸 SQLite 批量写入"), median(bare))
		fmt.Fprintf(w, "    %s%8.0f 条/秒\n", label("裸写入（检查点同引擎）"), median(paced))
		fmt.Fprintf(w, "    %s%8.0f 条/秒\n", label("完整引擎"), median(eng))
		fmt.Fprintf(w, "    %s    %.2f（各轮 %s）\n", label("比值 引擎/裸写入"), median(ratio), roundAll(ratio))
		fmt.Fprintf(w, "    %s    %.2f（各轮 %s）\n", label("比值 引擎/裸写入（检查点同引擎）"), median(pacedRatio), roundAll(pacedRatio))
	}
	return nil
}

// label ends s with a full-width colon and pads it to one width on a terminal, where a Chinese
// character takes two columns, so that the figures after it line up.
func label(s string) string {
	const columns = 36
	w := 2 // the colon
	for _, r := range s {
		if r >= 0x2E80 {
			w += 2
		} else {
			w++
		}
	}
	return s + "：" + strings.Repeat(" ", max(columns-w, 1))
}

// roundAll formats ratios with two decimals, for showing every round.
func roundAll(xs []float64) string {
	out := ""
	for i, x := range xs {
		if i > 0 {
			out += " "
		}
		out += fmt.Sprintf("%.2f", x)
	}
	return out
}
