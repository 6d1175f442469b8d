package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"youthlink/bot"
	"youthlink/importer"
	"youthlink/storage"
)

// importFormat is one export format the import verb reads.
type importFormat struct {
	platform bot.Platform // the platform its exports come from
	parse    func(r io.Reader, group string) (*importer.Result, error)
}

var importFormats = map[string]importFormat{
	"qq-txt":     {bot.QQ, importer.ParseQQText},
	"wechat-csv": {bot.WeChat, importer.ParseWeChatCSV},
}

// importFormatsHelp names the formats of importFormats and where each comes from.
const importFormatsHelp = "qq-txt（PC QQ 消息管理器导出的文本文件）或 wechat-csv（留痕 WeChatMsg 导出的 CSV）"

// importBatch is how many events go into one ingest transaction, as the engine's writer does.
const importBatch = 512

// importListMax caps how many skipped or repaired lines are listed without -v.
const importListMax = 50

func cmdImport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fset := newFlags("import", "导入从 QQ 或微信客户端导出的群聊记录（可重复导入，不会重复计数）", stdout, stderr)
	cfgPath, dbPath := storeFlags(fset)
	format := fset.String("format", "", "导出格式："+importFormatsHelp)
	platform := fset.String("platform", "", "平台：qq 或 wechat（默认按格式）")
	group := fset.String("group", "", "群名")
	chat := fset.String("chat", "", "群号或群的平台 id（默认：该平台已有的同名群，没有则用群名）")
	verbose := fset.Bool("v", false, "列出全部跳过和修复的行")
	if err := parseArgs(fset, args); err != nil {
		return err
	}
	files := fset.Args()
	f, ok := importFormats[*format]
	plat, platOK := cliPlatform(*platform, bot.QQ, bot.WeChat)
	switch {
	case !platOK:
		fmt.Fprintf(stderr, "-platform 只能是 qq 或 wechat（不分大小写，也可以写 微信），收到「%s」\n", *platform)
		return errUsage
	case *format == "":
		fmt.Fprintln(stderr, "请用 -format 指定导出格式：qq-txt 或 wechat-csv")
		return errUsage
	case !ok:
		fmt.Fprintf(stderr, "-format 只能是 qq-txt 或 wechat-csv，收到「%s」\n", *format)
		return errUsage
	case plat != "" && plat != f.platform:
		fmt.Fprintf(stderr, "格式 %s 是 %s 的导出，与 -platform %s 不符\n", *format, f.platform, *platform)
		return errUsage
	case strings.TrimSpace(*group) == "":
		fmt.Fprintln(stderr, "请用 -group 指定群名，例如：youthlink import -format qq-txt -platform qq -group 青年一群 导出.txt")
		return errUsage
	case len(files) == 0:
		fmt.Fprintln(stderr, "请在参数最后给出要导入的文件，例如：youthlink import -format qq-txt -platform qq -group 青年一群 导出.txt")
		return errUsage
	}
	// Every file must be there and readable before anything is stored.
	for _, name := range files {
		if err := checkImportFile(name); err != nil {
			return err
		}
	}
	a, err := openFromFlags(ctx, *cfgPath, *dbPath, io.Discard)
	if err != nil {
		return err
	}
	defer a.close()
	chatID, err := importChatID(ctx, a.db, f.platform, *group, *chat)
	if err != nil {
		return err
	}
	imp := &importRun{store: a.db, analyze: analyzer(a.cfg), now: a.now, progress: stderr}
	var total importTally
	var empty []string // files that yielded no message at all
	for _, name := range files {
		rep, err := imp.file(ctx, name, f, *group, chatID)
		if err != nil {
			return err
		}
		printImportReport(stdout, name, rep, *verbose)
		total.add(rep.tally)
		if rep.parse.Messages == 0 {
			empty = append(empty, showPath(name))
		}
	}
	if len(files) > 1 {
		fmt.Fprintf(stdout, "合计 %d 个文件：解析出 %d 条，新存入 %d 条，已有（重复）%d 条，拒收 %d 条\n",
			len(files), total.events, total.stored, total.duplicates, len(total.refused))
	}
	if len(empty) > 0 {
		return fmt.Errorf("文件 %s 里没有找到任何消息：请确认 -format %s 与文件相符（可用的格式：%s）",
			strings.Join(empty, "、"), *format, importFormatsHelp)
	}
	fmt.Fprintf(stdout, "查看统计：youthlink stats -group %s -platform %s -json\n", *group, f.platform)
	return nil
}

// checkImportFile says, in Chinese, why a path cannot be imported.
func checkImportFile(name string) error {
	st, err := os.Stat(name)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("文件 %s 不存在", showPath(name))
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("文件 %s 没有读取权限", showPath(name))
	case err != nil:
		return fmt.Errorf("文件 %s 无法访问：%w", showPath(name), err)
	case st.IsDir():
		return fmt.Errorf("%s 是目录，请给出导出的文件本身", showPath(name))
	case !st.Mode().IsRegular():
		return fmt.Errorf("%s 不是普通文件", showPath(name))
	}
	f, err := os.Open(name)
	if err != nil {
		if errors.Is(err, fs.ErrPermission) {
			return fmt.Errorf("文件 %s 没有读取权限", showPath(name))
		}
		return fmt.Errorf("打不开文件 %s：%w", showPath(name), err)
	}
	return f.Close()
}

// showPath quotes a file name for a message: 「name」, or a Go-quoted form when it holds
// invalid UTF-8 or characters that would garble the terminal.
func showPath(name string) string {
	if utf8.ValidString(name) && !strings.ContainsFunc(name, func(r rune) bool { return !unicode.IsPrint(r) && r != ' ' }) {
		return "「" + name + "」"
	}
	return strconv.Quote(name)
}

// importChatID picks the chat id imported messages are stored under: the one given, else that of
// the only group with this name on the platform (so a lost account's group continues), else the
// name itself.
func importChatID(ctx context.Context, db *storage.DB, p bot.Platform, group, chat string) (string, error) {
	if chat != "" {
		return chat, nil
	}
	gs, err := db.GroupsByName(ctx, p, group)
	if err != nil {
		return "", err
	}
	switch len(gs) {
	case 0:
		return group, nil
	case 1:
		return gs[0].ChatID, nil
	}
	ids := make([]string, len(gs))
	for i, g := range gs {
		ids[i] = g.ChatID
	}
	return "", fmt.Errorf("%s 上有 %d 个名为「%s」的群（群号 %s），请用 -chat 指定导入到哪一个",
		p, len(gs), group, strings.Join(ids, "、"))
}

// importRun stores imported events the way the engine does — normalize, analyse, batched
// ingest with the same counting rules — but runs no handler: commands in the history are not
// executed and nothing is sent.
type importRun struct {
	store    bot.Store
	analyze  func(string) bot.Topics
	now      func() time.Time
	progress io.Writer // where progress lines go for big files
}

// importTally counts what happened to the events of one or more files.
type importTally struct {
	events, stored, duplicates int
	refused                    []string // events Normalize refused, with the reason
}

func (t *importTally) add(o importTally) {
	t.events += o.events
	t.stored += o.stored
	t.duplicates += o.duplicates
	t.refused = append(t.refused, o.refused...)
}

// importReport is what one file yielded.
type importReport struct {
	parse importer.Report
	tally importTally
}

// progressEvery is how many events pass between progress lines.
const progressEvery = 5000

// file parses one export and stores its events.
func (r *importRun) file(ctx context.Context, name string, f importFormat, group, chatID string) (*importReport, error) {
	in, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("打不开文件 %s：%w", showPath(name), err)
	}
	defer in.Close()
	fmt.Fprintf(r.progress, "正在读取 %s …\n", showPath(name))
	res, err := f.parse(in, group)
	if err != nil {
		return nil, fmt.Errorf("文件 %s：%w", showPath(name), err)
	}
	rep := &importReport{parse: res.Report}
	for i := range res.Events {
		res.Events[i].Platform = f.platform
		res.Events[i].ChatID = chatID
	}
	big := len(res.Events) >= progressEvery
	rep.tally, err = r.ingest(ctx, res.Events, func(done int) {
		if big && (done%progressEvery < importBatch || done == len(res.Events)) {
			fmt.Fprintf(r.progress, "  已写入 %d/%d 条\n", done, len(res.Events))
		}
	})
	if err != nil {
		return nil, fmt.Errorf("文件 %s 写入数据库失败（本批已回滚，修好后重新导入即可，已写入的不会重复）：%w", showPath(name), err)
	}
	return rep, nil
}

// ingest normalizes, analyses and stores events in file order, importBatch at a time.
func (r *importRun) ingest(ctx context.Context, evs []bot.Event, progress func(done int)) (importTally, error) {
	t := importTally{events: len(evs)}
	batch := make([]bot.Incoming, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		sts, err := r.store.IngestBatch(ctx, batch)
		if err != nil {
			return err
		}
		for _, st := range sts {
			if st.New {
				t.stored++
			} else {
				t.duplicates++
			}
		}
		batch = batch[:0]
		return nil
	}
	for i := range evs {
		ev := evs[i]
		if err := bot.Normalize(&ev, r.now()); err != nil {
			t.refused = append(t.refused, fmt.Sprintf("%s %s 的消息：%v", ev.Time.Format(time.DateTime), ev.Sender.Display(), err))
			continue
		}
		in := bot.Incoming{Event: ev}
		if r.analyze != nil && ev.Kind == bot.Text && ev.Text != "" {
			in.Topics = r.analyze(ev.Text)
		}
		batch = append(batch, in)
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return t, err
			}
			progress(i + 1)
		}
	}
	if err := flush(); err != nil {
		return t, err
	}
	progress(len(evs))
	return t, nil
}

// printImportReport tells the operator what one file gave: lines, messages, what was stored,
// what was skipped and why, and the members found.
func printImportReport(w io.Writer, name string, rep *importReport, all bool) {
	p, t := rep.parse, rep.tally
	fmt.Fprintf(w, "文件 %s：读取 %d 行，解析出 %d 条消息（含系统通知），新存入 %d 条，已有（重复导入）%d 条",
		showPath(name), p.Lines, p.Messages, t.stored, t.duplicates)
	if len(t.refused) > 0 {
		fmt.Fprintf(w, "，拒收 %d 条", len(t.refused))
	}
	fmt.Fprintf(w, "，跳过 %d 行，修复 %d 行\n", len(p.Skipped), len(p.Repaired))
	list := func(title string, ps []importer.Problem) {
		if len(ps) == 0 {
			return
		}
		fmt.Fprintf(w, "  %s：\n", title)
		for i, q := range ps {
			if i == importListMax && !all {
				fmt.Fprintf(w, "    ……另有 %d 行未列出（加 -v 列出全部）\n", len(ps)-i)
				break
			}
			fmt.Fprintf(w, "    第 %d 行：%s\n", q.Line, q.Reason)
		}
	}
	list("跳过的行", p.Skipped)
	list("修复后保留的行", p.Repaired)
	for _, s := range t.refused {
		fmt.Fprintf(w, "  拒收：%s\n", s)
	}
	ids := make([]string, 0, len(p.Members))
	for id := range p.Members {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	fmt.Fprintf(w, "  成员 %d 人：\n", len(ids))
	for _, id := range ids {
		m := p.Members[id]
		fmt.Fprintf(w, "    %s %s", id, m.Name)
		var old []string
		for _, n := range m.Names {
			if n != m.Name {
				old = append(old, n)
			}
		}
		if len(old) > 0 {
			fmt.Fprintf(w, "（曾用名：%s）", strings.Join(old, "、"))
		}
		fmt.Fprintln(w)
	}
}
