package sheet

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"youthlink/counting"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

var update = flag.Bool("update", false, "rewrite golden files")

// source is a record.Source of fixed facts.
type source struct {
	facts      map[int64]*storage.Facts
	committees []storage.Committee
}

func (s source) Facts(context.Context, period.Span, ...int64) (map[int64]*storage.Facts, error) {
	return s.facts, nil
}
func (s source) Committees(context.Context) ([]storage.Committee, error) { return s.committees, nil }

func testBook(t *testing.T) *record.Book {
	t.Helper()
	fact := func(id, committee int64, name, kind string, target, reached int, by map[counting.Kind]int, acts map[string]int) *storage.Facts {
		var days []counting.DayCount
		for k, n := range by {
			days = append(days, counting.DayCount{Day: "2026-11-20", Kind: k, Youths: n})
		}
		return &storage.Facts{Cadre: storage.Cadre{ID: id, Name: name, Committee: committee, Kind: kind, Target: target},
			Days: days, Reached: reached, ByKind: by, Activities: acts, Roster: reached + 2}
	}
	src := source{
		committees: []storage.Committee{{ID: 1, Name: "市团委"}, {ID: 2, Name: "城区团委", Parent: 1}, {ID: 3, Name: "=郊区团委", Parent: 1}},
		facts: map[int64]*storage.Facts{
			10: fact(10, 2, "王小明", "full_time", 100, 8, map[counting.Kind]int{counting.Mention: 5, counting.Reply: 3}, map[string]int{"offline": 1}),
			11: fact(11, 2, "赵敏", "part_time", 10, 4, map[counting.Kind]int{counting.Reply: 4}, map[string]int{}),
			12: fact(12, 3, "李华", "seconded", 100, 0, map[counting.Kind]int{}, map[string]int{}),
		},
	}
	span, _ := period.ParseQuarter("2026Q4")
	b, err := record.Compile(context.Background(), src, record.DefaultPolicy(), span, time.Date(2026, 11, 23, 9, 0, 0, 0, period.Zone))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestTables(t *testing.T) {
	b := testBook(t)
	tests := []struct {
		committee int64
		want      map[string][]string
	}{
		{1, map[string][]string{"城区团委": {"王小明", "赵敏"}, "=郊区团委": {"李华"}}},
		{2, map[string][]string{"城区团委": {"王小明", "赵敏"}}},
		{3, map[string][]string{"=郊区团委": {"李华"}}},
	}
	for _, tt := range tests {
		got := map[string][]string{}
		for _, tb := range Tables(b, tt.committee) {
			for _, r := range tb.Records {
				got[tb.Name] = append(got[tb.Name], r.Cadre.Name)
			}
		}
		if len(got) != len(tt.want) {
			t.Fatalf("committee %d: tables %v, want %v", tt.committee, got, tt.want)
		}
		for k, v := range tt.want {
			if len(got[k]) != len(v) || got[k][0] != v[0] {
				t.Fatalf("committee %d: table %s = %v, want %v", tt.committee, k, got[k], v)
			}
		}
	}
}

func TestSheetName(t *testing.T) {
	used := map[string]bool{}
	tests := []struct{ in, want string }{
		{"城区团委", "城区团委"},
		{"城区团委", "城区团委(2)"},
		{"a/b:c", "a_b_c"},
		{"", "台账"},
		{"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"},
		{"一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三", "一二三四五六七八九十一二三四五六七八九十一二三四五六七八(2)"},
	}
	for _, tt := range tests {
		if got := sheetName(tt.in, used); got != tt.want {
			t.Errorf("sheetName(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestXLSX(t *testing.T) {
	b := testBook(t)
	var buf bytes.Buffer
	if err := WriteXLSX(&buf, append([]Table{Ranking(b, 1, "排名")}, Tables(b, 1)...)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := f.GetSheetList(), []string{"排名", "城区团委", "=郊区团委"}; len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Fatalf("sheets %v, want %v", got, want)
	}
	rows, err := f.GetRows("城区团委")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 {
		t.Fatalf("城区团委 has %d rows, want header and 2", len(rows))
	}
	for i, h := range Header {
		if rows[0][i] != h {
			t.Fatalf("header %d = %q, want %q", i, rows[0][i], h)
		}
	}
	col := func(name string) int {
		for i, h := range Header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return 0
	}
	first := rows[1]
	for name, want := range map[string]string{"团干部": "王小明", "类别": "专职", "直接联系人数": "8", "覆盖率": "8%",
		"互动次数·@互动": "5", "互动次数·回复/引用": "3", "互动次数合计": "8", "线下活动": "1", "积分": "8", "单位排名": "1/2"} {
		if got := first[col(name)]; got != want {
			t.Errorf("王小明 %s = %q, want %q", name, got, want)
		}
	}
}

func TestCSVGolden(t *testing.T) {
	b := testBook(t)
	var buf bytes.Buffer
	if err := WriteCSV(&buf, []Table{Ranking(b, 1, "排名")}); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("\xef\xbb\xbf")) {
		t.Fatal("CSV does not start with a UTF-8 byte-order mark")
	}
	golden := filepath.Join("testdata", "ranking.csv")
	if *update {
		if err := os.WriteFile(golden, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(buf.Bytes(), want) {
		t.Fatalf("CSV differs from %s (run go test -update):\n%s", golden, buf.String())
	}
}

func TestCSVCell(t *testing.T) {
	tests := []struct {
		in   any
		want string
	}{
		{Percent(0.08), "8%"},
		{Percent(1), "100%"},
		{"=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"},
		{"-1", "'-1"},
		{"王小明", "王小明"},
		{42, "42"},
	}
	for _, tt := range tests {
		if got := csvCell(tt.in); got != tt.want {
			t.Errorf("csvCell(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
