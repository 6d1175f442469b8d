package roster

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"youthlink/bot"
	"youthlink/storage"
)

func openDB(t *testing.T) *storage.DB {
	t.Helper()
	db, err := storage.Open(context.Background(), filepath.Join(t.TempDir(), "roster.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func parseCSV(t *testing.T, s string) *Roster {
	t.Helper()
	r, err := Parse(strings.NewReader(s), CSV)
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return r
}

// goodCSV has the three tables in an unusual order, columns reordered, an extra note column,
// a BOM, Chinese and English kinds, an empty target and a child listed before its parent.
const goodCSV = "\uFEFF群名,团干部,平台\r\n" +
	"计算机学院青年之家,王小明,QQ\r\n" +
	"团支部微信群,李四,微信\r\n" +
	"\r\n" +
	"团委,上级团委,层级\r\n" +
	"计算机学院团委,示范大学团委,院系\r\n" +
	"示范大学团委,团市委,高校\r\n" +
	"团市委,,市级\r\n" +
	"\r\n" +
	"所属团委,团干部,类别,目标人数,备注\r\n" +
	"计算机学院团委,王小明,专职,,负责新生\r\n" +
	"示范大学团委,李四,part_time,12,\r\n" +
	"团市委,\" 赵六 \",领导机关兼职,0,\r\n"

func TestParseCSV(t *testing.T) {
	r := parseCSV(t, goodCSV)
	if len(r.Errors) > 0 {
		t.Fatalf("errors: %v", Errors(r.Errors))
	}
	var got []string
	for _, c := range r.Committees {
		got = append(got, fmt.Sprintf("%s<%s>%s@%d", c.Name, c.Parent, c.Level, c.Pos.Row))
	}
	for _, c := range r.Cadres {
		got = append(got, fmt.Sprintf("%s/%s/%s/%d@%d", c.Name, c.Committee, c.Kind, c.Target, c.Pos.Row))
	}
	for _, g := range r.Groups {
		got = append(got, fmt.Sprintf("%s/%s/%s@%d", g.Name, g.Platform, g.Cadre, g.Pos.Row))
	}
	want := []string{
		"计算机学院团委<示范大学团委>院系@6", "示范大学团委<团市委>高校@7", "团市委<>市级@8",
		"王小明/计算机学院团委/full_time/100@11", "李四/示范大学团委/part_time/12@12", "赵六/团市委/leader_part_time/100@13",
		"计算机学院青年之家/qq/王小明@2", "团支部微信群/wechat/李四@3",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("parsed\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestParseRowErrors(t *testing.T) {
	const cadres = "团委,上级团委\n团市委,\n团干部,所属团委,类别,目标人数\n"
	tests := []struct {
		name string
		in   string
		want []string // "row column: reason part"
	}{
		{"bad kind", cadres + "王小明,团市委,临时工,\n", []string{"4 类别: 「临时工」不认识"}},
		{"negative target", cadres + "王小明,团市委,专职,-5\n", []string{"4 目标人数: 不能是负数"}},
		{"target not a number", cadres + "王小明,团市委,专职,很多\n", []string{"4 目标人数: 「很多」不是整数"}},
		{"duplicate cadre", cadres + "王小明,团市委,专职,\n李四,团市委,兼职,\n王小明,团市委,挂职,\n", []string{"6 团干部: 「王小明」与第 4 行重复"}},
		{"missing kind column", "团干部,所属团委,目标人数\n王小明,团市委,100\n", []string{"1 类别: 缺少「类别」列"}},
		{"missing parent column", "团委,层级\n团市委,市级\n", []string{"1 上级团委: 缺少「上级团委」列"}},
		{"empty names", cadres + ",团市委,专职,\n王五,,专职,\n", []string{"4 团干部: 不能为空", "5 所属团委: 不能为空"}},
		{"own parent", "团委,上级团委\n团市委,团市委\n", []string{"2 上级团委: 不能是团委自己"}},
		{"bad platform", "群名,平台,团干部\n一群,钉钉,王小明\n二群,,王小明\n", []string{"2 平台: 「钉钉」不认识", "3 平台: 「」不认识"}},
		{"duplicate group", "群名,平台,团干部\n一群,qq,甲\n一群,QQ,乙\n一群,微信,乙\n", []string{"3 群名: 「一群」与第 2 行重复"}},
		{"rows before a header", "王小明,团市委\n李四\n团委,上级团委\n团市委,\n", []string{"1 : 在表头之前"}},
		{"header word as content", cadres + "类别,团市委,专职,\n", []string{"4 团干部: 「类别」是表头用语"}},
		{"several at once", cadres + "甲,团市委,专职,-1\n乙,团市委,外星人,\n", []string{"4 目标人数: 不能是负数", "5 类别: 「外星人」不认识"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := parseCSV(t, tt.in)
			var got []string
			for _, e := range r.Errors {
				got = append(got, fmt.Sprintf("%d %s: %s", e.Row, e.Column, e.Reason))
			}
			if len(got) != len(tt.want) {
				t.Fatalf("errors %q, want %d like %q", got, len(tt.want), tt.want)
			}
			for i := range got {
				if !strings.HasPrefix(got[i], tt.want[i]) {
					t.Errorf("error %d %q, want it to start with %q", i, got[i], tt.want[i])
				}
			}
			// Nothing of a roster with errors is stored.
			db := openDB(t)
			if err := Apply(context.Background(), db, r); err == nil {
				t.Fatal("Apply took a roster with errors")
			}
			if now, _ := db.RosterNow(context.Background()); len(now.Committees)+len(now.Cadres)+len(now.Groups) != 0 {
				t.Fatalf("stored %+v from a roster with errors", now)
			}
		})
	}
}

func TestParseWholeFileErrors(t *testing.T) {
	tests := []struct {
		name   string
		in     []byte
		format Format
		want   string
	}{
		{"GBK csv", []byte("\xcd\xc5\xce\xaf,\xc9\xcf\xbc\xb6\n"), CSV, "不是 UTF-8"},
		{"no table", []byte("a,b\n1,2\n"), CSV, "没有找到名单表"},
		{"empty", nil, CSV, "没有找到名单表"},
		{"not xlsx", []byte("团委,上级团委\n"), XLSX, "不是有效的 .xlsx"},
		{"unknown format", []byte("x"), "ods", "不认识的名单格式"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(bytes.NewReader(tt.in), tt.format)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err %v, want %q", err, tt.want)
			}
		})
	}
}

func TestApplyUnresolvedIsAllOrNothing(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := Apply(ctx, db, parseCSV(t, "团委,上级团委\n团省委,\n")); err != nil {
		t.Fatal(err)
	}
	before, _ := db.RosterNow(ctx)
	in := "团委,上级团委,层级\n" +
		"团市委,团省委,市级\n" + // fine: parent in the database
		"县团委,不存在的团委,县级\n" + // row 3: unknown parent
		"\n团干部,所属团委,类别\n" +
		"王小明,团市委,专职\n" +
		"李四,没有这个团委,兼职\n" + // row 7: unknown committee
		"\n群名,平台,团干部\n" +
		"一群,qq,王小明\n" +
		"二群,qq,查无此人\n" // row 11: unknown cadre
	err := Apply(ctx, db, parseCSV(t, in))
	es, ok := err.(Errors)
	if !ok {
		t.Fatalf("err %v (%T), want Errors", err, err)
	}
	var got []string
	for _, e := range es {
		got = append(got, fmt.Sprintf("%d %s", e.Row, e.Column))
	}
	if got, want := strings.Join(got, ","), "3 上级团委,7 所属团委,11 团干部"; got != want {
		t.Fatalf("errors at %s, want %s (%v)", got, want, es)
	}
	after, _ := db.RosterNow(ctx)
	if fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("roster changed although Apply failed:\n%+v\n%+v", before, after)
	}
	if gs, _ := db.Groups(ctx); len(gs) != 0 {
		t.Fatalf("groups created although Apply failed: %v", gs)
	}
}

func TestApplyCycle(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	if err := Apply(ctx, db, parseCSV(t, "团委,上级团委\n甲,\n乙,甲\n")); err != nil {
		t.Fatal(err)
	}
	err := Apply(ctx, db, parseCSV(t, "团委,上级团委\n甲,乙\n"))
	if err == nil || !strings.Contains(err.Error(), "循环") {
		t.Fatalf("err %v, want a cycle", err)
	}
	now, _ := db.RosterNow(ctx)
	if got := fmt.Sprint(now.Committees); got != "[{甲  } {乙 甲 }]" {
		t.Fatalf("committees %s after a refused cycle", got)
	}
}

// TestApplyGroups: a group known from live chat (its chat id the QQ group number) is found by
// platform and name and registered; an unknown group is created; re-applying moves a group.
func TestApplyGroups(t *testing.T) {
	ctx := context.Background()
	db := openDB(t)
	live := bot.Incoming{Event: bot.Event{Platform: bot.QQ, ChatKind: bot.Group, ChatID: "123456", ChatName: "一群",
		MsgID: "1", Sender: bot.User{ID: "9", Name: "甲"}, Kind: bot.Text, Text: "你好", Time: time.Now()}}
	if _, err := db.IngestBatch(ctx, []bot.Incoming{live}); err != nil {
		t.Fatal(err)
	}
	in := "团委,上级团委\n团市委,\n\n团干部,所属团委,类别\n王小明,团市委,专职\n李四,团市委,兼职\n\n" +
		"群名,平台,团干部\n一群,QQ,王小明\n二群,微信,李四\n"
	if err := Apply(ctx, db, parseCSV(t, in)); err != nil {
		t.Fatal(err)
	}
	cadres := map[int64]string{}
	cs, _ := db.Cadres(ctx)
	for _, c := range cs {
		cadres[c.ID] = c.Name
	}
	show := func() string {
		gs, _ := db.Groups(ctx)
		var s []string
		for _, g := range gs {
			s = append(s, fmt.Sprintf("%s/%s/%s→%s", g.Platform, g.ChatID, g.Name, cadres[g.Cadre]))
		}
		return strings.Join(s, " ")
	}
	if got, want := show(), "qq/123456/一群→王小明 wechat/二群/二群→李四"; got != want {
		t.Fatalf("groups %s, want %s", got, want)
	}
	if err := Apply(ctx, db, parseCSV(t, "群名,平台,团干部\n一群,QQ,李四\n")); err != nil {
		t.Fatal(err)
	}
	if got, want := show(), "qq/123456/一群→李四 wechat/二群/二群→李四"; got != want {
		t.Fatalf("after moving: groups %s, want %s", got, want)
	}
	// Live ingest sees the new registration at once (the group cache was dropped).
	live.Event.MsgID = "2"
	sts, err := db.IngestBatch(ctx, []bot.Incoming{live})
	if err != nil {
		t.Fatal(err)
	}
	if cadres[sts[0].GroupCadre] != "李四" {
		t.Fatalf("ingest sees group cadre %d, want 李四", sts[0].GroupCadre)
	}
}

func TestRoundTrip(t *testing.T) {
	for _, format := range []Format{XLSX, CSV} {
		t.Run(string(format), func(t *testing.T) {
			ctx := context.Background()
			a := openDB(t)
			if err := Apply(ctx, a, parseCSV(t, goodCSV)); err != nil {
				t.Fatal(err)
			}
			var file bytes.Buffer
			if err := Export(ctx, a, &file, format); err != nil {
				t.Fatal(err)
			}
			r, err := Parse(bytes.NewReader(file.Bytes()), format)
			if err != nil {
				t.Fatal(err)
			}
			if len(r.Errors) > 0 {
				t.Fatalf("export does not parse back: %v", Errors(r.Errors))
			}
			b := openDB(t)
			if err := Apply(ctx, b, r); err != nil {
				t.Fatal(err)
			}
			ra, _ := a.RosterNow(ctx)
			rb, _ := b.RosterNow(ctx)
			if fmt.Sprint(ra) != fmt.Sprint(rb) {
				t.Fatalf("round trip changed the roster:\n%+v\n%+v", ra, rb)
			}
			if len(ra.Committees) != 3 || len(ra.Cadres) != 3 || len(ra.Groups) != 2 {
				t.Fatalf("roster %+v, want 3 committees, 3 cadres, 2 groups", ra)
			}
			var again bytes.Buffer
			if err := Export(ctx, b, &again, CSV); err != nil {
				t.Fatal(err)
			}
			var first bytes.Buffer
			Export(ctx, a, &first, CSV)
			if first.String() != again.String() {
				t.Fatalf("CSV exports differ:\n%s\n%s", first.String(), again.String())
			}
		})
	}
}

func TestXLSXErrorsNameTheSheet(t *testing.T) {
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "干部名单")
	f.SetSheetRow("干部名单", "A1", &[]any{"团干部", "所属团委", "类别", "目标人数"})
	f.SetSheetRow("干部名单", "A2", &[]any{"王小明", "团市委", "专职", 100})
	f.SetSheetRow("干部名单", "A3", &[]any{"李四", "团市委", "实习", -3})
	var b bytes.Buffer
	if _, err := f.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	r, err := Parse(&b, XLSX)
	if err != nil {
		t.Fatal(err)
	}
	got := Errors(r.Errors).Error()
	for _, want := range []string{"2 处错误", "工作表「干部名单」第 3 行「类别」列：「实习」不认识", "工作表「干部名单」第 3 行「目标人数」列：不能是负数"} {
		if !strings.Contains(got, want) {
			t.Errorf("%q lacks %q", got, want)
		}
	}
	if len(r.Cadres) != 1 || r.Cadres[0].Target != 100 {
		t.Errorf("cadres %+v, want 王小明 with 100", r.Cadres)
	}
}

func TestTemplate(t *testing.T) {
	var b bytes.Buffer
	if err := WriteTemplate(&b); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), ","), "团委,团干部,群"; got != want {
		t.Fatalf("sheets %s, want %s", got, want)
	}
	for sheet, want := range map[string]string{"团委": "团委,上级团委,层级", "团干部": "团干部,所属团委,类别,目标人数", "群": "群名,平台,团干部"} {
		rows, _ := f.GetRows(sheet)
		if len(rows) != 2 && sheet != "团委" || strings.Join(rows[0], ",") != want {
			t.Errorf("sheet %s rows %q, want header %s and an example", sheet, rows, want)
		}
	}
	// Imported unchanged, every example row is refused, naming it; nothing else is wrong with it.
	r, err := Parse(bytes.NewReader(b.Bytes()), XLSX)
	if err != nil || len(r.Errors) != 4 {
		t.Fatalf("the unchanged template parses with %v %v, want its 4 example rows refused", err, r.Errors)
	}
	for _, e := range r.Errors {
		if !strings.Contains(e.Error(), "是模板里的示例行") {
			t.Errorf("error %q, want the example row named", e)
		}
	}
	// With the examples renamed, it applies.
	var fixed bytes.Buffer
	if err := writeCSV(&fixed, &Roster{
		Committees: []Committee{{Name: "团市委", Level: "市级"}, {Name: "大学团委", Parent: "团市委", Level: "基层"}},
		Cadres:     []Cadre{{Name: "王小明", Committee: "大学团委", Kind: "full_time", Target: 100}},
		Groups:     []Group{{Name: "青年之家", Platform: "qq", Cadre: "王小明"}},
	}); err != nil {
		t.Fatal(err)
	}
	r, err = Parse(&fixed, CSV)
	if err != nil || len(r.Errors) > 0 {
		t.Fatalf("the filled-in template does not parse: %v %v", err, r.Errors)
	}
	if err := Apply(context.Background(), openDB(t), r); err != nil {
		t.Fatalf("the filled-in template does not apply: %v", err)
	}
}
