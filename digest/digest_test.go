package digest

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

type overviewer struct {
	text string
	err  error
	got  string
}

func (o *overviewer) Overview(_ context.Context, facts string) (string, error) {
	o.got = facts
	return o.text, o.err
}

// store builds a committee whose name needs escaping, a cadre with two groups, and chat in
// the week before and the week of 2026-W47: one group goes quiet, topics are counted.
func store(t *testing.T) *storage.DB {
	t.Helper()
	ctx := context.Background()
	db, err := storage.Open(ctx, filepath.Join(t.TempDir(), "d.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.PutCommittee(ctx, "<b>团委</b> *1*", "", ""); err != nil {
		t.Fatal(err)
	}
	cid, err := db.PutCadre(ctx, storage.Cadre{Name: "王小明", Kind: "full_time", Target: 100}, "<b>团委</b> *1*")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.BindIdentity(ctx, bot.QQ, bot.User{ID: "c1", Name: "王小明"}, cid); err != nil {
		t.Fatal(err)
	}
	w47, _ := period.ParseWeek("2026-W47")
	var items []bot.Incoming
	n := 0
	msg := func(group, from string, at time.Time, text string, topics bot.Topics, mention ...bot.User) {
		n++
		items = append(items, bot.Incoming{Event: bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: group, ChatName: "群" + group,
			MsgID: string(rune('a' + n)), Sender: bot.User{ID: from, Name: from}, Kind: bot.Text, Text: text, Time: at, Mentions: mention}, Topics: topics})
	}
	before := w47.From.AddDate(0, 0, -3).Add(10 * time.Hour)
	during := w47.From.AddDate(0, 0, 2).Add(10 * time.Hour)
	msg("1", "c1", before, "早上好", bot.Topics{})
	msg("2", "c1", before, "早上好", bot.Topics{}, bot.User{ID: "y1", Name: "y1"})
	msg("2", "y1", before.Add(time.Minute), "你好", bot.Topics{})
	msg("1", "y1", during, "实习简历怎么写", bot.Topics{Topics: []string{"就业"}, Keywords: []string{"简历"}})
	msg("1", "c1", during.Add(time.Minute), "我来看看 <script>", bot.Topics{Topics: []string{"就业"}, Keywords: []string{"简历", "实习"}},
		bot.User{ID: "y1", Name: "y1"})
	if _, err := db.IngestBatch(ctx, items); err != nil {
		t.Fatal(err)
	}
	gs, _ := db.Groups(ctx)
	for _, g := range gs {
		if _, _, err := db.RegisterGroup(ctx, g.ID, cid); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestBuild(t *testing.T) {
	db := store(t)
	w47, _ := period.ParseWeek("2026-W47")
	d, err := Build(context.Background(), db, record.DefaultPolicy(), "<b>团委</b> *1*", w47, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// y1 was reached in both weeks: once in the quarter.
	if d.ActiveCadres != 1 || d.Reached != 1 || d.ReachedLastWeek != 1 || d.InteractionsLast != 1 || d.QuarterReached != 1 ||
		d.Coverage != 1 || d.CoverageLast != 1 {
		t.Errorf("figures %+v", d)
	}
	if len(d.Topics) != 1 || d.Topics[0] != (NameCount{"就业", 2}) || len(d.Keywords) != 2 || d.Keywords[0] != (NameCount{"简历", 2}) {
		t.Errorf("topics %v keywords %v", d.Topics, d.Keywords)
	}
	if len(d.QuietGroups) != 1 || d.QuietGroups[0].Name != "群2" || d.QuietGroups[0].Before != 2 {
		t.Errorf("quiet groups %+v", d.QuietGroups)
	}
	if d.OverviewByLLM || !strings.Contains(d.Overview, "联系青年 1 人次") {
		t.Errorf("plain overview %q", d.Overview)
	}
	if _, err := Build(context.Background(), db, record.DefaultPolicy(), "没有", w47, Options{}); !errors.Is(err, storage.ErrNotFound) {
		t.Errorf("unknown committee: %v", err)
	}
}

func TestOverview(t *testing.T) {
	db := store(t)
	w47, _ := period.ParseWeek("2026-W47")
	for _, tc := range []struct {
		name string
		o    *overviewer
		llm  bool
	}{
		{"llm", &overviewer{text: " 本周工作稳步推进。 "}, true},
		{"llm fails", &overviewer{err: errors.New("timeout")}, false},
		{"llm says nothing", &overviewer{text: "  "}, false},
	} {
		d, err := Build(context.Background(), db, record.DefaultPolicy(), "<b>团委</b> *1*", w47, Options{Overview: tc.o})
		if err != nil {
			t.Fatal(err)
		}
		if d.OverviewByLLM != tc.llm || tc.llm && d.Overview != "本周工作稳步推进。" || !tc.llm && !strings.HasPrefix(d.Overview, "本周（2026-W47）") {
			t.Errorf("%s: overview %q by llm %v", tc.name, d.Overview, d.OverviewByLLM)
		}
		if !strings.Contains(tc.o.got, "活跃团干部：1 / 1 人") {
			t.Errorf("%s: the LLM was not given the figures: %q", tc.name, tc.o.got)
		}
	}
}

func TestRenderEscapes(t *testing.T) {
	d := &Digest{Committee: "<b>团委</b> *1*", Week: "2026-W47", Overview: "<script>alert(1)</script>",
		Questions: []Question{{Cadre: "王", Text: "<img src=x onerror=alert(1)>"}}}
	h, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"<b>团委", "<script>", "<img"} {
		if strings.Contains(string(h), bad) {
			t.Errorf("HTML contains %q unescaped", bad)
		}
	}
	if !strings.Contains(string(h), "&lt;b&gt;团委&lt;/b&gt;") {
		t.Errorf("HTML lost the committee name")
	}
	md := Markdown(d)
	if strings.Contains(md, "*1*") || !strings.Contains(md, `\*1\*`) || strings.Contains(md, "<img") {
		t.Errorf("markdown not escaped:\n%s", md)
	}
	j, err := JSON(&Digest{})
	if err != nil || strings.Contains(string(j), "null") {
		t.Errorf("empty digest JSON has nulls: %s %v", j, err)
	}
	if _, err := Render(d, "pdf"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestCut(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"短句", "短句"},
		{"一二三四五六", "一二三…"},
		{"a\n b", "a b"},
	} {
		if got := cut(tc.in, 3); got != tc.want {
			t.Errorf("cut(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestLongListsAreCutInChatForms(t *testing.T) {
	d := &Digest{Committee: "省团委", Week: "2026-W47"}
	for i := 0; i < ListMax+7; i++ {
		d.Needs = append(d.Needs, Entry{Cadre: fmt.Sprintf("干部%02d", i), Committee: "县团委", Reasons: []string{"覆盖率低"}})
	}
	for name, s := range map[string]string{"text": Text(d), "markdown": Markdown(d)} {
		if !strings.Contains(s, "干部19") || strings.Contains(s, "干部20") || !strings.Contains(s, "另有 7 人") || !strings.Contains(s, "加油榜（27 人）") {
			t.Errorf("%s: needs list not cut at %d:\n%s", name, ListMax, s)
		}
	}
	h, _ := HTML(d)
	if !strings.Contains(string(h), "干部26") {
		t.Error("HTML cut the list")
	}
}

// TestHonorRollTies: cadres with equal points share a place on the honor roll in every form, as
// in the chat's /排行 (1, 1, 3).
func TestHonorRollTies(t *testing.T) {
	d := &Digest{Committee: "市团委", Week: "2026-W47", Honor: []Entry{
		{Place: 1, Cadre: "甲", Committee: "城区团委", Points: 20, Reasons: []string{"积分 20"}},
		{Place: 1, Cadre: "乙", Committee: "城区团委", Points: 20, Reasons: []string{"积分 20"}},
		{Place: 3, Cadre: "丙", Committee: "高新区团委", Points: 5, Reasons: []string{"积分 5"}},
	}}
	h, err := HTML(d)
	if err != nil {
		t.Fatal(err)
	}
	for form, tc := range map[string]struct {
		out  string
		want []string
	}{
		"text":     {Text(d), []string{"  1. 甲", "  1. 乙", "  3. 丙"}},
		"markdown": {Markdown(d), []string{"\n1. 甲", "\n1. 乙", "\n3. 丙"}},
		"html":     {string(h), []string{`<li value="1">甲`, `<li value="1">乙`, `<li value="3">丙`}},
	} {
		for _, w := range tc.want {
			if !strings.Contains(tc.out, w) {
				t.Errorf("%s lacks %q:\n%s", form, w, tc.out)
			}
		}
	}
}

// TestPlainOverviewCoverageChange: the opening paragraph says an unchanged coverage as 与上周持平,
// not as "持平 个百分点".
func TestPlainOverviewCoverageChange(t *testing.T) {
	for _, tc := range []struct {
		now, last int
		want      string
	}{{8, 8, "本季度覆盖率 8%（与上周持平）"}, {8, 5, "本季度覆盖率 8%（较上周 +3 个百分点）"}, {4, 5, "（较上周 -1 个百分点）"}} {
		got := plainOverview(&Digest{Week: "2026-W47", Committee: "市团委", Coverage: tc.now, CoverageLast: tc.last})
		if !strings.Contains(got, tc.want) || strings.Contains(got, "持平 个百分点") {
			t.Errorf("coverage %d after %d: %q, want %q", tc.now, tc.last, got, tc.want)
		}
	}
}
