package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"youthlink/bot"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

// storeFlags adds -config and -db to a verb.
func storeFlags(fs *flags) (cfgPath, dbPath *string) {
	cfgPath = fs.String("config", "", "配置文件（默认当前目录的 config.yaml）")
	dbPath = fs.String("db", "", "数据库文件或 postgres:// 连接串，覆盖配置里的 storage")
	return
}

// openFromFlags loads the config and opens the app for a verb that only reads or writes the store.
func openFromFlags(ctx context.Context, cfgPath, dbPath string, stderr io.Writer) (*app, error) {
	return openStoreFlags(ctx, cfgPath, dbPath, stderr, false)
}

// openToRead is openFromFlags for a verb that only reads: a SQLite file that is not there is
// refused rather than created empty.
func openToRead(ctx context.Context, cfgPath, dbPath string, stderr io.Writer) (*app, error) {
	return openStoreFlags(ctx, cfgPath, dbPath, stderr, true)
}

func openStoreFlags(ctx context.Context, cfgPath, dbPath string, stderr io.Writer, existing bool) (*app, error) {
	cfg, err := loadConfig(cfgPath)
	if err != nil {
		return nil, err
	}
	if dbPath != "" {
		if _, err := os.Stat(dbPath); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("数据库 %s：%w", dbPath, err)
		}
	}
	return openApp(ctx, cfg, appOptions{db: dbPath, log: stderr, analyze: analyzer(cfg), existing: existing})
}

func cmdBindcode(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("bindcode", "为团干部生成一次性绑定码", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	cadre := fs.String("cadre", "", "团干部姓名（须在配置的 cadres 里）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cadre == "" {
		fmt.Fprintln(stderr, "请用 -cadre 指定团干部姓名，例如：youthlink bindcode -cadre 王小明")
		return errUsage
	}
	a, err := openFromFlags(ctx, *cfgPath, *dbPath, io.Discard)
	if err != nil {
		return err
	}
	defer a.close()
	code, err := a.db.NewBindCode(ctx, *cadre, a.cfg.Bot.BindCodeTTL)
	if err != nil {
		if errors.Is(err, storage.ErrNotFound) {
			return fmt.Errorf("团干部「%s」不在名单里，请先写入配置文件的 cadres%s", *cadre, noConfig(a.cfg))
		}
		return err
	}
	fmt.Fprintf(stdout, "%s 的绑定码：%s\n有效期 %s，只能用一次。请用要绑定的微信或 QQ 账号向机器人发送：/绑定 %s\n",
		*cadre, code, inWords(a.cfg.Bot.BindCodeTTL), code)
	return nil
}

// inWords says a duration in the largest whole unit: 72h is "3 天", 90m is "90 分钟".
func inWords(d time.Duration) string {
	for _, u := range []struct {
		d    time.Duration
		name string
	}{{24 * time.Hour, "天"}, {time.Hour, "小时"}, {time.Minute, "分钟"}} {
		if d >= u.d && d%u.d == 0 {
			return fmt.Sprintf("%d %s", d/u.d, u.name)
		}
	}
	return fmt.Sprintf("%d 秒", d/time.Second)
}

func cmdRecord(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("record", "打印一名团干部的联系台账", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	cadre := fs.String("cadre", "", "团干部姓名")
	quarter := fs.String("quarter", "", "季度，例如 2026Q4（默认本季度）")
	format := fs.String("format", "text", "输出格式：text、json 或 xlsx")
	out := fs.String("o", "", "输出文件（xlsx 必填；- 表示标准输出）")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *cadre == "" {
		fmt.Fprintln(stderr, "请用 -cadre 指定团干部姓名，例如：youthlink record -cadre 王小明")
		return errUsage
	}
	if err := formatFromName(fs.FlagSet, format, *out, stderr); err != nil {
		return err
	}
	if *format != "text" && *format != "json" && *format != "xlsx" {
		fmt.Fprintf(stderr, "-format 只能是 text、json 或 xlsx，收到「%s」\n", *format)
		return errUsage
	}
	if *format == "xlsx" && *out == "" {
		fmt.Fprintln(stderr, "xlsx 请用 -o 指定输出文件，例如：-format xlsx -o 台账.xlsx")
		return errUsage
	}
	a, err := openToRead(ctx, *cfgPath, *dbPath, io.Discard)
	if err != nil {
		return err
	}
	defer a.close()
	now := a.now()
	span := period.QuarterOf(now)
	if *quarter != "" {
		if span, err = period.ParseQuarter(*quarter); err != nil {
			return err
		}
	}
	cd, err := a.db.CadreByName(ctx, *cadre)
	if errors.Is(err, storage.ErrNotFound) {
		return fmt.Errorf("团干部「%s」不在名单里（请检查配置文件的 cadres）%s", *cadre, noConfig(a.cfg))
	}
	if err != nil {
		return err
	}
	book, err := record.Compile(ctx, a.db, a.cfg.Policy(), span, now)
	if err != nil {
		return err
	}
	return writeRecord(book.Of(cd.ID), *format, *out, stdout)
}

// statsJSON is the contract of `stats -json` (DESIGN.md).
type statsJSON struct {
	Group    string        `json:"group"`
	Platform string        `json:"platform"`
	From     string        `json:"from"`
	To       string        `json:"to"`
	Messages int           `json:"messages"`
	Members  []memberJSON  `json:"members"`
	Topics   []topicJSON   `json:"topics"`
	Keywords []keywordJSON `json:"keywords"`
}

type memberJSON struct {
	ID           string `json:"id"`
	Name         string `json:"name"`
	Messages     int    `json:"messages"`
	Interactions int    `json:"interactions"`
	FirstAt      string `json:"first_at"`
	LastAt       string `json:"last_at"`
}

type topicJSON struct {
	Topic    string `json:"topic"`
	Messages int    `json:"messages"`
}

type keywordJSON struct {
	Word  string `json:"word"`
	Count int    `json:"count"`
}

func cmdStats(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlags("stats", "按成员统计一个群", stdout, stderr)
	cfgPath, dbPath := storeFlags(fs)
	group := fs.String("group", "", "群名")
	platform := fs.String("platform", "", "平台：qq、wechat 或 console（群名重复时必填）")
	from := fs.String("from", "", "起始日期（含），例如 2026-11-01；默认最早")
	to := fs.String("to", "", "结束日期（含），例如 2026-11-30；默认最近")
	asJSON := fs.Bool("json", false, "输出 JSON（格式见 DESIGN.md）")
	top := fs.Int("top", 20, "话题和关键词各列出多少个")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *group == "" {
		fmt.Fprintln(stderr, "请用 -group 指定群名，例如：youthlink stats -group 青年一群 -json")
		return errUsage
	}
	plat, ok := cliPlatform(*platform, bot.QQ, bot.WeChat, bot.Console)
	if !ok {
		fmt.Fprintf(stderr, "-platform 只能是 qq、wechat 或 console（不分大小写，也可以写 微信），收到「%s」\n", *platform)
		return errUsage
	}
	fromT, toT := time.Date(2000, 1, 1, 0, 0, 0, 0, period.Zone), time.Date(2100, 1, 1, 0, 0, 0, 0, period.Zone)
	var err error
	if *from != "" {
		if fromT, err = period.ParseDay(*from); err != nil {
			return err
		}
	}
	if *to != "" {
		if toT, err = period.ParseDay(*to); err != nil {
			return err
		}
		toT = toT.AddDate(0, 0, 1)
	}
	if !fromT.Before(toT) {
		return fmt.Errorf("起始日期 %s 晚于结束日期 %s", *from, *to)
	}
	a, err := openToRead(ctx, *cfgPath, *dbPath, io.Discard)
	if err != nil {
		return err
	}
	defer a.close()
	gs, err := a.db.GroupsByName(ctx, plat, *group)
	if err != nil {
		return err
	}
	switch {
	case len(gs) == 0:
		return fmt.Errorf("没有名为「%s」的群（平台 %s）", *group, orAll(string(plat)))
	case len(gs) > 1:
		return fmt.Errorf("有 %d 个名为「%s」的群，请用 -platform 指定平台", len(gs), *group)
	}
	st, err := a.db.GroupStats(ctx, gs[0], fromT, toT, *top)
	if err != nil {
		return err
	}
	out := statsJSON{Group: gs[0].Name, Platform: string(gs[0].Platform), Messages: st.Messages,
		Members: []memberJSON{}, Topics: []topicJSON{}, Keywords: []keywordJSON{}}
	var first, last time.Time
	for _, m := range st.Members {
		out.Members = append(out.Members, memberJSON{ID: m.ID, Name: m.Name, Messages: m.Messages, Interactions: m.Interactions,
			FirstAt: rfc3339(m.FirstAt), LastAt: rfc3339(m.LastAt)})
		if m.FirstAt.IsZero() {
			continue // only took part in interactions: no message to date the span by
		}
		if first.IsZero() || m.FirstAt.Before(first) {
			first = m.FirstAt
		}
		if m.LastAt.After(last) {
			last = m.LastAt
		}
	}
	out.From, out.To = *from, *to
	if out.From == "" && !first.IsZero() {
		out.From = period.Day(first)
	}
	if out.To == "" && !last.IsZero() {
		out.To = period.Day(last)
	}
	// No message dates an open end: the span shrinks to the day given, or to today.
	if out.From == "" && out.To == "" {
		out.From = period.Day(a.now())
	}
	if out.From == "" {
		out.From = out.To
	}
	if out.To == "" {
		out.To = out.From
	}
	for _, t := range st.Topics {
		out.Topics = append(out.Topics, topicJSON{t.Name, t.N})
	}
	for _, k := range st.Keywords {
		out.Keywords = append(out.Keywords, keywordJSON{k.Name, k.N})
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(out)
	}
	fmt.Fprintf(stdout, "群「%s」（%s）%s 至 %s：成员发言 %d 条\n", out.Group, out.Platform, out.From, out.To, out.Messages)
	sort.SliceStable(out.Members, func(i, j int) bool { return out.Members[i].Messages > out.Members[j].Messages })
	for _, m := range out.Members {
		fmt.Fprintf(stdout, "  %s（%s）发言 %d，互动 %d\n", m.Name, m.ID, m.Messages, m.Interactions)
	}
	return nil
}

// rfc3339 formats a time for JSON, "" for the zero time (a member who sent no message).
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.Format(time.RFC3339)
}

// cliPlatform reads a -platform value among those allowed: the platform's name in any case, or
// 微信 as roster sheets write it; "" (any platform) is ok.
func cliPlatform(s string, allowed ...bot.Platform) (bot.Platform, bool) {
	p := bot.Platform(strings.ToLower(strings.TrimSpace(s)))
	if p == "微信" {
		p = bot.WeChat
	}
	return p, p == "" || slices.Contains(allowed, p)
}

func orAll(p string) string {
	if p == "" {
		return "不限"
	}
	return p
}
