package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/period"
	"youthlink/storage"
)

// runVerb runs the CLI as a user would and returns its exit code and output.
func runVerb(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// scratch makes a config file and a database path in a temporary directory, with one cadre
// (王老师) whose chat account on platform p is user id cadreID.
func scratch(t *testing.T, p bot.Platform, cadreID string) (cfg, db string) {
	t.Helper()
	dir := t.TempDir()
	cfg, db = filepath.Join(dir, "config.yaml"), filepath.Join(dir, "test.db")
	if err := os.WriteFile(cfg, []byte("log:\n  level: warn\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	s, err := storage.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.PutCommittee(ctx, "团市委", "", "city"); err != nil {
		t.Fatal(err)
	}
	c, err := s.PutCadre(ctx, storage.Cadre{Name: "王老师", Kind: "full_time", Target: 100}, "团市委")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.BindIdentity(ctx, p, bot.User{ID: cadreID, Name: "王老师"}, c); err != nil {
		t.Fatal(err)
	}
	return cfg, db
}

// qqExport is a PC QQ text export of 青年一群 with what real exports hold: a BOM, CRLF, CR and
// LF endings mixed, one-digit hours, multi-line bodies, an e-mail id with a group title, system
// notices from 系统消息(10000), media placeholders, @-mentions, a member renaming, commands, a
// header with an impossible time (line 25) and no newline at the end.
var qqExport = []struct{ text, end string }{
	{"\uFEFF消息记录（此消息记录为文本格式，不支持重新导入）", "\r\n"}, // 1
	{"", "\r\n"},
	{"================================================================", "\r\n"},
	{"消息分组:我的群聊", "\r\n"},
	{"================================================================", "\r\n"},
	{"消息对象:青年一群", "\r\n"},
	{"================================================================", "\r\n"},
	{"", "\r\n"},
	{"2026-11-02 9:05:02 王老师(10001)", "\r\n"}, // 9: cadre
	{"同学们好，本周五开团日活动。", "\r\n"},
	{"请大家按时参加！", "\r\n"},
	{"", "\r\n"},
	{"2026-11-02 9:06:10 小明 (2班)(20002)", "\r"}, // 13: youth @ cadre: an interaction
	{"@王老师 收到", "\r"},
	{"", "\r"},
	{"2026-11-02 10:00:00 【管理员】Lily<lily@example.com>", "\n"}, // 16
	{"[图片]", "\n"},
	{"", "\n"},
	{"2026-11-02 10:01:00 系统消息(10000)", "\n"}, // 19: a notice, not a message
	{"小红加入本群", "\n"},
	{"", "\n"},
	{"2026-11-02 10:02:00 小红(30003)", "\n"}, // 22
	{"[表情]", "\n"},
	{"", "\n"},
	{"2026-11-02 25:00:00 某人(40004)", "\n"}, // 25: skipped with its body
	{"这条时间无效", "\n"},
	{"", "\n"},
	{"2026-11-03 8:00:00 明明(20002)", "\r\n"}, // 28: renamed; youth @ youth: nothing
	{"@小红 欢迎！", "\r\n"},
	{"", "\n"},
	{"2026-11-03 8:30:00 王老师(10001)", "\n"}, // 31: cadre @ two youths: two interactions
	{"@明明 @Lily 辛苦了", "\n"},
	{"", "\n"},
	{"2026-11-03 20:15:00 系统消息(10000)", "\n"}, // 34: a notice
	{"王老师撤回了一条消息", "\n"},
	{"", "\n"},
	{"2026-11-04 9:00:00 明明(20002)", "\n"}, // 37: a command in the history is not executed
	{"/问 团日活动在哪里？", "\n"},
	{"", "\n"},
	{"2026-11-04 10:00:00 王老师(10001)", "\n"}, // 40
	{"/登记本群", "\n"},
	{"", "\n"},
	{"2026-11-04 23:59:59 明明(20002)", "\r\n"}, // 43
	{"第一段", "\r\n"},
	{"", "\r\n"},
	{"第二段[图片]", ""},
}

func writeQQExport(t *testing.T, dir string) string {
	t.Helper()
	var b strings.Builder
	for _, l := range qqExport {
		b.WriteString(l.text + l.end)
	}
	name := filepath.Join(dir, "青年一群.txt")
	if err := os.WriteFile(name, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return name
}

// wantMember is one member's line of stats -json.
type wantMember struct {
	ID, Name               string
	Messages, Interactions int
	FirstAt, LastAt        string
}

func checkStats(t *testing.T, out string, platform string, messages int, from, to string, want []wantMember) {
	t.Helper()
	var got statsJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("stats output is not JSON: %v\n%s", err, out)
	}
	if got.Group != "青年一群" || got.Platform != platform || got.Messages != messages || got.From != from || got.To != to {
		t.Errorf("stats head %q %q messages %d %s..%s, want 青年一群 %s %d %s..%s",
			got.Group, got.Platform, got.Messages, got.From, got.To, platform, messages, from, to)
	}
	var have []wantMember
	for _, m := range got.Members {
		have = append(have, wantMember{m.ID, m.Name, m.Messages, m.Interactions, m.FirstAt, m.LastAt})
	}
	if fmt.Sprint(have) != fmt.Sprint(want) {
		t.Errorf("members\n got %+v\nwant %+v", have, want)
	}
}

// countRows counts rows in the scratch database behind the store's back.
// countRows runs a COUNT query on the database file directly, read-only, as an auditor would.
func countRows(t *testing.T, db, query string, args ...any) int {
	t.Helper()
	d, err := sql.Open("sqlite3", "file:"+db+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var n int
	if err := d.QueryRow(query, args...).Scan(&n); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return n
}

func TestImportQQThenStats(t *testing.T) {
	cfg, db := scratch(t, bot.QQ, "10001")
	file := writeQQExport(t, t.TempDir())
	args := []string{"import", "-config", cfg, "-db", db, "-format", "qq-txt", "-platform", "qq", "-group", "青年一群", file}
	code, out, errOut := runVerb(t, args...)
	if code != 0 {
		t.Fatalf("import exit %d\n%s\n%s", code, out, errOut)
	}
	// 11 events: 9 messages and 2 notices; line 25 skipped.
	for _, want := range []string{
		"读取 46 行，解析出 11 条消息（含系统通知），新存入 11 条，已有（重复导入）0 条，跳过 1 行，修复 0 行",
		"第 25 行：消息头的时间无效",
		"成员 4 人",
		"20002 明明（曾用名：小明 (2班)）",
		"lily@example.com Lily",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}

	at := func(d, h, m, s int) string {
		return time.Date(2026, 11, d, h, m, s, 0, period.Zone).Format(time.RFC3339)
	}
	// By hand: 王老师 (cadre) spoke at lines 9, 31, 40 and took part in three interactions
	// (mentioned by 20002 at 13; mentioned 20002 and Lily at 31). 20002 spoke at 13, 28, 37, 43.
	want := []wantMember{
		{"20002", "明明", 4, 2, at(2, 9, 6, 10), at(4, 23, 59, 59)},
		{"10001", "王老师", 3, 3, at(2, 9, 5, 2), at(4, 10, 0, 0)},
		{"30003", "小红", 1, 0, at(2, 10, 2, 0), at(2, 10, 2, 0)},
		{"lily@example.com", "Lily", 1, 1, at(2, 10, 0, 0), at(2, 10, 0, 0)},
	}
	stats := []string{"stats", "-config", cfg, "-db", db, "-group", "青年一群", "-json"}
	code, first, errOut := runVerb(t, stats...)
	if code != 0 {
		t.Fatalf("stats exit %d: %s", code, errOut)
	}
	checkStats(t, first, "qq", 9, "2026-11-02", "2026-11-04", want)

	// Imported commands were not executed and nothing was sent.
	for _, q := range []string{
		`SELECT COUNT(*) FROM outbox`,
		`SELECT COUNT(*) FROM questions`,
		`SELECT COUNT(*) FROM groups WHERE cadre_id IS NOT NULL`,
	} {
		if n := countRows(t, db, q); n != 0 {
			t.Errorf("%s = %d, want 0", q, n)
		}
	}
	if got, want := countRows(t, db, `SELECT COUNT(*) FROM interactions`), 3; got != want {
		t.Errorf("%d interactions, want %d", got, want)
	}

	// A second import stores nothing and changes no number.
	code, out, errOut = runVerb(t, args...)
	if code != 0 {
		t.Fatalf("second import exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "新存入 0 条，已有（重复导入）11 条") {
		t.Errorf("second import report:\n%s", out)
	}
	_, again, _ := runVerb(t, stats...)
	if again != first {
		t.Errorf("stats changed after a second import:\n%s\nthen\n%s", first, again)
	}
	if got, want := countRows(t, db, `SELECT COUNT(*) FROM interactions`), 3; got != want {
		t.Errorf("%d interactions after re-import, want %d", got, want)
	}
}

// TestImportContinuesLiveGroup: when the platform already knows a group by that name (the bot
// was in it until its account was lost), imported history is stored under that group.
func TestImportContinuesLiveGroup(t *testing.T) {
	cfg, db := scratch(t, bot.QQ, "10001")
	ctx := context.Background()
	s, err := storage.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	live := bot.Incoming{Event: bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: "123456", ChatName: "青年一群",
		MsgID: "live-1", Sender: bot.User{ID: "20002", Name: "明明"}, Kind: bot.Text, Text: "直播消息",
		Time: time.Date(2026, 11, 10, 9, 0, 0, 0, period.Zone)}}
	if _, err := s.IngestBatch(ctx, []bot.Incoming{live}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	file := writeQQExport(t, t.TempDir())
	if code, out, errOut := runVerb(t, "import", "-config", cfg, "-db", db, "-format", "qq-txt", "-group", "青年一群", file); code != 0 {
		t.Fatalf("import exit %d\n%s\n%s", code, out, errOut)
	}
	if got := countRows(t, db, `SELECT COUNT(*) FROM groups`); got != 1 {
		t.Fatalf("%d groups, want the live one only", got)
	}
	code, out, errOut := runVerb(t, "stats", "-config", cfg, "-db", db, "-group", "青年一群", "-json")
	if code != 0 {
		t.Fatalf("stats exit %d: %s", code, errOut)
	}
	var st statsJSON
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	if st.Messages != 10 || st.To != "2026-11-10" {
		t.Fatalf("messages %d to %s, want 10 to 2026-11-10", st.Messages, st.To)
	}
}

func TestImportWeChatThenStats(t *testing.T) {
	cfg, db := scratch(t, bot.WeChat, "wxid_teacher")
	ct := func(d, h, m, s int) string {
		return fmt.Sprint(time.Date(2026, 11, d, h, m, s, 0, period.Zone).Unix())
	}
	rows := []string{
		"\uFEFFlocalId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender",
		`201,5,1,0,0,` + ct(2, 9, 5, 2) + `,2,"同学们好，` + "\r\n" + `本周五开团日活动。",,王老师备注,王老师,wxid_teacher`,
		"202,5,1,0,1," + ct(2, 9, 6, 10) + ",2,@王老师\u2005收到,,,小明,wxid_ming",
		`203,5,3,0,0,` + ct(2, 10, 0, 0) + `,2,"<img src=""x""/>",,,"Lily, 外联部",wxid_lily`,
		`204,5,10000,0,0,` + ct(2, 10, 1, 0) + `,4,"""王老师""邀请""小红""加入了群聊",,,,`,
		"205,5,47,0,0," + ct(2, 10, 2, 0) + ",2,,,,小红,wxid_hong",
		"206,5,1,0,0," + ct(3, 8, 0, 0) + ",2,@小红 欢迎！,,,明明,wxid_ming",
		"207,5,1,0,0," + ct(3, 8, 30, 0) + ",2,@明明 辛苦了,,,王老师,wxid_teacher",
		"208,5,1,0,0,bad,2,时间坏了,not a time,,甲,wxid_a",
		`209,5,10002,0,0,` + ct(3, 20, 15, 0) + `,2,"""王老师"" 撤回了一条消息",,,,`,
		"210,5,49,57,0," + ct(4, 9, 0, 0) + ",2,收到，谢谢老师,,,明明,wxid_ming",
	}
	file := filepath.Join(t.TempDir(), "青年一群.csv")
	if err := os.WriteFile(file, []byte(strings.Join(rows, "\r\n")+"\r\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	args := []string{"import", "-config", cfg, "-db", db, "-format", "wechat-csv", "-platform", "wechat", "-group", "青年一群", file}
	code, out, errOut := runVerb(t, args...)
	if code != 0 {
		t.Fatalf("import exit %d\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"解析出 9 条消息（含系统通知），新存入 9 条", "跳过 1 行", "时间无效", "成员 4 人", "wxid_ming 明明（曾用名：小明）"} {
		if !strings.Contains(out, want) {
			t.Errorf("report lacks %q:\n%s", want, out)
		}
	}
	at := func(d, h, m, s int) string {
		return time.Date(2026, 11, d, h, m, s, 0, period.Zone).Format(time.RFC3339)
	}
	want := []wantMember{
		{"wxid_ming", "明明", 3, 2, at(2, 9, 6, 10), at(4, 9, 0, 0)},
		{"wxid_teacher", "王老师", 2, 2, at(2, 9, 5, 2), at(3, 8, 30, 0)},
		{"wxid_hong", "小红", 1, 0, at(2, 10, 2, 0), at(2, 10, 2, 0)},
		{"wxid_lily", "Lily, 外联部", 1, 0, at(2, 10, 0, 0), at(2, 10, 0, 0)},
	}
	stats := []string{"stats", "-config", cfg, "-db", db, "-group", "青年一群", "-json"}
	code, first, errOut := runVerb(t, stats...)
	if code != 0 {
		t.Fatalf("stats exit %d: %s", code, errOut)
	}
	checkStats(t, first, "wechat", 7, "2026-11-02", "2026-11-04", want)

	code, out, _ = runVerb(t, args...)
	if code != 0 || !strings.Contains(out, "新存入 0 条，已有（重复导入）9 条") {
		t.Errorf("second import exit %d:\n%s", code, out)
	}
	if _, again, _ := runVerb(t, stats...); again != first {
		t.Errorf("stats changed after a second import:\n%s\nthen\n%s", first, again)
	}
}

func TestImportBadInput(t *testing.T) {
	cfg, db := scratch(t, bot.QQ, "10001")
	dir := t.TempDir()
	good := writeQQExport(t, dir)
	notCSV := filepath.Join(dir, "x.csv")
	if err := os.WriteFile(notCSV, []byte("a,b\n1,2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	emptyFile := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(emptyFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	base := []string{"import", "-config", cfg, "-db", db, "-group", "青年一群"}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stderr
	}{
		{"no format", []string{good}, 2, "-format"},
		{"unknown format", []string{"-format", "html", good}, 2, "qq-txt 或 wechat-csv"},
		{"platform mismatch", []string{"-format", "qq-txt", "-platform", "wechat", good}, 2, "不符"},
		{"no files", []string{"-format", "qq-txt"}, 2, "要导入的文件"},
		{"directory", []string{"-format", "qq-txt", dir}, 1, "是目录"},
		{"missing", []string{"-format", "qq-txt", filepath.Join(dir, "nope.txt")}, 1, "不存在"},
		{"control characters in the name", []string{"-format", "qq-txt", filepath.Join(dir, "a\x1b[31m\xffb.txt")}, 1, `\x1b[31m\xffb.txt" 不存在`},
		{"NUL in the name", []string{"-format", "qq-txt", filepath.Join(dir, "a\x00b.txt")}, 1, `\x00b.txt" 无法访问`},
		{"newline in the name", []string{"-format", "qq-txt", filepath.Join(dir, "第一行\n第二行.txt")}, 1, `\n第二行.txt" 不存在`},
		{"name longer than the file system allows", []string{"-format", "qq-txt", filepath.Join(dir, strings.Repeat("长", 200)+".txt")}, 1, "无法访问"},
		{"a missing file among good ones stores nothing", []string{"-format", "qq-txt", good, filepath.Join(dir, "nope.txt")}, 1, "不存在"},
		{"not a WeChatMsg csv", []string{"-format", "wechat-csv", notCSV}, 1, "缺少 StrContent 列"},
		{"no message in the file", []string{"-format", "qq-txt", notCSV}, 1, "x.csv」 里没有找到任何消息：请确认 -format qq-txt 与文件相符（可用的格式：qq-txt"},
		{"empty file", []string{"-format", "qq-txt", emptyFile}, 1, "没有找到任何消息"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runVerb(t, append(append([]string{}, base...), tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d (want %d), stderr %q lacks %q; stdout %q", code, tt.code, errOut, tt.want, out)
			}
			if strings.Contains(out, "youthlink stats") {
				t.Errorf("a failed import suggests stats: %q", out)
			}
		})
	}
	if n := countRows(t, db, `SELECT COUNT(*) FROM messages`); n != 0 {
		t.Fatalf("%d messages stored by failed imports", n)
	}
}

// TestImportEmptyAmongGood: a file without messages fails the import by name, after the good
// files before it are stored and reported, and no stats hint is given.
func TestImportEmptyAmongGood(t *testing.T) {
	cfg, db := scratch(t, bot.QQ, "10001")
	dir := t.TempDir()
	good := writeQQExport(t, dir)
	emptyFile := filepath.Join(dir, "empty.txt")
	if err := os.WriteFile(emptyFile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runVerb(t, "import", "-config", cfg, "-db", db, "-group", "青年一群", "-format", "qq-txt", good, emptyFile)
	if code != 1 || !strings.Contains(errOut, "empty.txt」 里没有找到任何消息") || strings.Contains(out, "youthlink stats") ||
		!strings.Contains(out, "新存入 11 条") {
		t.Errorf("exit %d, stderr %q, stdout %q; want 1, empty.txt named, the good file stored, no stats hint", code, errOut, out)
	}
}

// fakeStore is a bot.Store whose IngestBatch is a function field.
type fakeStore struct {
	IngestBatchFn func(ctx context.Context, items []bot.Incoming) ([]bot.Stored, error)
}

func (f *fakeStore) IngestBatch(ctx context.Context, items []bot.Incoming) ([]bot.Stored, error) {
	return f.IngestBatchFn(ctx, items)
}

var _ bot.Store = (*fakeStore)(nil)

// TestImportIngestBatchesAndRefuses: events go to the store in file order, importBatch at a
// time, analysed like live text; events Normalize refuses are reported, not stored.
func TestImportIngestBatchesAndRefuses(t *testing.T) {
	var sizes []int
	var order []string
	seen := map[string]bool{}
	store := &fakeStore{IngestBatchFn: func(_ context.Context, items []bot.Incoming) ([]bot.Stored, error) {
		sizes = append(sizes, len(items))
		out := make([]bot.Stored, len(items))
		for i, in := range items {
			order = append(order, in.Event.MsgID)
			out[i].New = !seen[in.Event.MsgID]
			seen[in.Event.MsgID] = true
			if in.Event.Kind == bot.Text && len(in.Topics.Topics) != 1 {
				t.Errorf("text event %s not analysed", in.Event.MsgID)
			}
			if in.Event.Kind != bot.Text && len(in.Topics.Topics) != 0 {
				t.Errorf("%s event %s analysed", in.Event.Kind, in.Event.MsgID)
			}
		}
		return out, nil
	}}
	at := time.Date(2026, 11, 2, 9, 0, 0, 0, period.Zone)
	var evs []bot.Event
	for i := range importBatch + 10 {
		kind := bot.Text
		if i%3 == 0 {
			kind = bot.Image
		}
		evs = append(evs, bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: "g", MsgID: fmt.Sprint(i),
			Sender: bot.User{ID: "1"}, Kind: kind, Text: "x", Time: at})
	}
	evs[5].Sender.ID = strings.Repeat("a", 300) + "@example.com" // longer than an id may be
	evs = append(evs, evs[7])                                    // a duplicate within the file
	var progress []int
	r := &importRun{store: store, now: time.Now,
		analyze: func(string) bot.Topics { return bot.Topics{Topics: []string{"t"}} }}
	tally, err := r.ingest(context.Background(), evs, func(done int) { progress = append(progress, done) })
	if err != nil {
		t.Fatal(err)
	}
	if got, want := fmt.Sprint(sizes), fmt.Sprint([]int{importBatch, 10}); got != want {
		t.Errorf("batches %s, want %s", got, want)
	}
	if order[0] != "0" || order[5] != "6" || order[len(order)-1] != "7" {
		t.Errorf("not in file order: %v…%v", order[:6], order[len(order)-1])
	}
	if tally.events != importBatch+11 || tally.stored != importBatch+9 || tally.duplicates != 1 || len(tally.refused) != 1 {
		t.Errorf("tally %+v", tally)
	}
	if len(tally.refused) == 1 && !strings.Contains(tally.refused[0], "2026-11-02 09:00:00") {
		t.Errorf("refusal %q does not say which message", tally.refused[0])
	}
	if got := fmt.Sprint(progress); got != fmt.Sprintf("[%d %d]", importBatch+1, len(evs)) {
		t.Errorf("progress %s", got)
	}
}

// TestStatsSpanDates pins that `stats -json` always names both ends of its span: an open end
// is dated by the messages in it, or, with none, by the other end (today for an empty group).
func TestStatsSpanDates(t *testing.T) {
	cfg, db := scratch(t, bot.QQ, "10001")
	if code, out, errOut := runVerb(t, "import", "-config", cfg, "-db", db, "-format", "qq-txt", "-group", "青年一群", writeQQExport(t, t.TempDir())); code != 0 {
		t.Fatalf("import exit %d\n%s\n%s", code, out, errOut)
	}
	ctx := context.Background()
	s, err := storage.Open(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SyncMembers(ctx, bot.QQ, "999", "空群", []bot.User{{ID: "20002", Name: "明明"}}); err != nil {
		t.Fatal(err)
	}
	s.Close()
	today := period.Day(time.Now())
	tests := []struct {
		group    string
		flags    []string
		from, to string
	}{
		{"青年一群", nil, "2026-11-02", "2026-11-04"},
		{"青年一群", []string{"-from", "2026-11-03"}, "2026-11-03", "2026-11-04"},
		{"青年一群", []string{"-to", "2026-11-03"}, "2026-11-02", "2026-11-03"},
		{"青年一群", []string{"-from", "2030-01-01"}, "2030-01-01", "2030-01-01"},
		{"青年一群", []string{"-to", "2024-01-01"}, "2024-01-01", "2024-01-01"},
		{"空群", nil, today, today},
	}
	for _, tt := range tests {
		args := append([]string{"stats", "-config", cfg, "-db", db, "-group", tt.group, "-json"}, tt.flags...)
		code, out, errOut := runVerb(t, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.flags, code, errOut)
		}
		var st statsJSON
		if err := json.Unmarshal([]byte(out), &st); err != nil {
			t.Fatal(err)
		}
		if after := period.Day(time.Now()); tt.from == today && st.From == after { // midnight passed meanwhile
			tt.from, tt.to = after, after
		}
		if st.From != tt.from || st.To != tt.to {
			t.Errorf("%s %v: from %q to %q, want %q to %q", tt.group, tt.flags, st.From, st.To, tt.from, tt.to)
		}
	}
	code, _, errOut := runVerb(t, "stats", "-config", cfg, "-db", db, "-group", "青年一群", "-from", "2026-11-05", "-to", "2026-11-01", "-json")
	if code != 1 || !strings.Contains(errOut, "起始日期 2026-11-05 晚于结束日期 2026-11-01") {
		t.Errorf("-from after -to: exit %d, stderr %q", code, errOut)
	}
}

// TestPlatformNames pins that -platform takes a platform's name in any case (and 微信, as roster
// sheets write it) and refuses an unknown one with the names it knows, for stats and import.
func TestPlatformNames(t *testing.T) {
	cfg, db := scratch(t, bot.QQ, "10001")
	good := writeQQExport(t, t.TempDir())
	imp := []string{"import", "-config", cfg, "-db", db, "-group", "青年一群", "-format", "qq-txt"}
	stats := []string{"stats", "-config", cfg, "-db", db, "-group", "青年一群", "-json"}
	tests := []struct {
		name string
		args []string
		code int
		want string // in stdout for exit 0, else in stderr
	}{
		{"import QQ", append(append([]string{}, imp...), "-platform", "QQ", good), 0, "新存入"},
		{"stats QQ", append(append([]string{}, stats...), "-platform", "QQ"), 0, `"platform": "qq"`},
		{"stats qq", append(append([]string{}, stats...), "-platform", "qq"), 0, `"platform": "qq"`},
		{"stats 微信", append(append([]string{}, stats...), "-platform", "微信"), 1, "没有名为「青年一群」的群（平台 wechat）"},
		{"stats WeChat", append(append([]string{}, stats...), "-platform", "WeChat"), 1, "（平台 wechat）"},
		{"stats unknown", append(append([]string{}, stats...), "-platform", "xx"), 2, "-platform 只能是 qq、wechat 或 console（不分大小写，也可以写 微信），收到「xx」"},
		{"import unknown", append(append([]string{}, imp...), "-platform", "xx", good), 2, "-platform 只能是 qq 或 wechat（不分大小写，也可以写 微信），收到「xx」"},
		{"import console", append(append([]string{}, imp...), "-platform", "console", good), 2, "-platform 只能是 qq 或 wechat"},
		{"import WeChat mismatch", append(append([]string{}, imp...), "-platform", "WeChat", good), 2, "与 -platform WeChat 不符"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runVerb(t, tt.args...)
			got := errOut
			if tt.code == 0 {
				got = out
			}
			if code != tt.code || !strings.Contains(got, tt.want) {
				t.Errorf("exit %d (want %d), stdout %q, stderr %q; want %q", code, tt.code, out, errOut, tt.want)
			}
		})
	}
}
