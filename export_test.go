package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"youthlink/sheet"
	"youthlink/storage"
)

// demoDB fills a database with the built-in sample week and returns its path.
func demoDB(t testing.TB) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "demo.db")
	if err := runDemo(context.Background(), path, io.Discard); err != nil {
		t.Fatal(err)
	}
	return path
}

// column finds a header's index.
func column(t testing.TB, name string) int {
	t.Helper()
	for i, h := range sheet.Header {
		if h == name {
			return i
		}
	}
	t.Fatalf("no column %s", name)
	return -1
}

// checkDemoRow checks 王小明's figures in the demo quarter (see `youthlink demo`).
func checkDemoRow(t testing.TB, row []string) {
	t.Helper()
	for name, want := range map[string]string{"团干部": "王小明", "所属团委": "城区团委", "类别": "专职", "目标": "100",
		"直接联系人数": "8", "覆盖率": "8%", "名册人数": "8", "互动次数·@互动": "7", "互动次数·回复/引用": "7", "互动次数·答复提问": "1",
		"互动次数·活动参与": "3", "互动次数·面对面交流": "1", "互动次数合计": "19", "线下活动": "1", "线上活动": "0", "面对面交流": "1",
		"积分": "42", "单位排名": "1/2", "全部排名": "1/3"} {
		if got := row[column(t, name)]; got != want {
			t.Errorf("王小明 %s = %q, want %q", name, got, want)
		}
	}
	if got := row[column(t, "季度“五个一”完成情况")]; !strings.HasPrefix(got, "2/5 项完成") {
		t.Errorf("plan = %q, want 2/5 done", got)
	}
}

func TestExportDemo(t *testing.T) {
	ctx := context.Background()
	db := demoDB(t)
	dir := t.TempDir()
	xlsx, csvPath, one := filepath.Join(dir, "台账.xlsx"), filepath.Join(dir, "台账.csv"), filepath.Join(dir, "王小明.xlsx")
	for _, args := range [][]string{
		{"export", "-db", db, "-quarter", "2026Q4", "-format", "xlsx", "-o", xlsx},
		{"export", "-db", db, "-quarter", "2026Q4", "-format", "csv", "-o", csvPath},
		{"record", "-db", db, "-quarter", "2026Q4", "-cadre", "王小明", "-format", "xlsx", "-o", one},
	} {
		var out, errs bytes.Buffer
		if code := run(ctx, args, &out, &errs); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs.String())
		}
	}

	f, err := excelize.OpenFile(xlsx)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), ","), "排名,城区团委,高新区团委"; got != want {
		t.Fatalf("sheets %s, want %s", got, want)
	}
	rows, err := f.GetRows("城区团委")
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(sheet.Header, ",") {
		t.Fatalf("城区团委 sheet: %d rows, header %v", len(rows), rows[0])
	}
	checkDemoRow(t, rows[1])
	if got := rows[2][column(t, "团干部")]; got != "赵敏" {
		t.Errorf("second row of 城区团委 is %s, want 赵敏", got)
	}
	rank, _ := f.GetRows("排名")
	if len(rank) != 4 || rank[1][1] != "王小明" || rank[2][1] != "李华" || rank[3][1] != "赵敏" {
		t.Errorf("ranking sheet %v, want 王小明, 李华, 赵敏", rank)
	}

	b, err := os.ReadFile(csvPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("\ufeff")) {
		t.Fatal("CSV has no byte-order mark")
	}
	lines := strings.Split(strings.TrimSpace(string(b[3:])), "\r\n")
	if len(lines) != 4 {
		t.Fatalf("CSV has %d lines, want header and 3", len(lines))
	}
	checkDemoRow(t, strings.Split(lines[1], ","))

	g, err := excelize.OpenFile(one)
	if err != nil {
		t.Fatal(err)
	}
	defer g.Close()
	rows, err = g.GetRows("王小明")
	if err != nil || len(rows) != 2 {
		t.Fatalf("record workbook: %v rows, %v", len(rows), err)
	}
	checkDemoRow(t, rows[1])
}

func TestExportUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		says string
	}{
		{[]string{"export", "-format", "pdf", "-o", "x"}, 2, "xlsx 或 csv"},
		{[]string{"export", "-format", "xlsx"}, 2, "-o"},
		{[]string{"record", "-cadre", "王小明", "-format", "xlsx"}, 2, "-o"},
	}
	for _, tt := range tests {
		code, _, errs := runVerb(t, tt.args...)
		if code != tt.code || !strings.Contains(errs, tt.says) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tt.args, code, errs, tt.code, tt.says)
		}
	}
}

// TestRecordOutputFile pins that `record -o F` writes every format to F, not to stdout.
func TestRecordOutputFile(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	tests := []struct {
		format, file string
		valid        func([]byte) bool
	}{
		{"text", "台账.txt", func(b []byte) bool { return bytes.Contains(b, []byte("王小明")) }},
		{"json", "台账.json", func(b []byte) bool { return json.Valid(b) && bytes.Contains(b, []byte("王小明")) }},
		{"xlsx", "台账.xlsx", func(b []byte) bool { return bytes.HasPrefix(b, []byte("PK")) }},
	}
	for _, tt := range tests {
		t.Run(tt.format, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			args := []string{"record", "-db", db, "-quarter", "2026Q4", "-cadre", "王小明", "-format", tt.format, "-o", path}
			code, out, errs := runVerb(t, args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errs)
			}
			b, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !tt.valid(b) {
				t.Errorf("%s holds no %s record:\n%s", tt.file, tt.format, b)
			}
			if got, want := out, "已导出 王小明 的联系台账到 "+path+"\n"; got != want {
				t.Errorf("stdout %q, want %q", got, want)
			}
		})
	}
	args := []string{"record", "-db", db, "-cadre", "王小明", "-format", "json", "-o", filepath.Join(dir, "无此目录", "台账.json")}
	code, _, errs := runVerb(t, args...)
	if code != 1 || !strings.Contains(errs, "文件夹 "+filepath.Join(dir, "无此目录")+" 不存在") {
		t.Errorf("missing folder: exit %d, stderr %q", code, errs)
	}
}

// TestFormatFollowsFileName: without -format the output file's extension chooses the format;
// a -format that contradicts the extension is refused (exit 2) and writes nothing.
func TestFormatFollowsFileName(t *testing.T) {
	db := demoDB(t)
	dir := t.TempDir()
	isCSV := func(b []byte) bool {
		return bytes.Contains(b, []byte("王小明,")) && !bytes.HasPrefix(b, []byte("PK"))
	}
	isXLSX := func(b []byte) bool { return bytes.HasPrefix(b, []byte("PK")) }
	isJSON := func(b []byte) bool { return json.Valid(b) && bytes.Contains(b, []byte("王小明")) }
	tests := []struct {
		name  string
		args  []string
		file  string
		code  int
		valid func([]byte) bool // the file written, when code is 0
		err   string            // in stderr, when code is not 0
	}{
		{"export to .csv", []string{"export", "-quarter", "2026Q4"}, "排名.csv", 0, isCSV, ""},
		{"export to .xlsx", []string{"export", "-quarter", "2026Q4"}, "排名.xlsx", 0, isXLSX, ""},
		{"export csv into .xlsx", []string{"export", "-quarter", "2026Q4", "-format", "csv"}, "排名2.xlsx", 2, nil, "-format csv 与输出文件「排名2.xlsx」的扩展名不符"},
		{"record to .json", []string{"record", "-quarter", "2026Q4", "-cadre", "王小明"}, "台账.json", 0, isJSON, ""},
		{"record xlsx into .csv", []string{"record", "-quarter", "2026Q4", "-cadre", "王小明", "-format", "xlsx"}, "台账.csv", 2, nil, "请改用 -format csv"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.file)
			args := append(append([]string{}, tt.args...), "-db", db, "-o", path)
			code, _, errs := runVerb(t, args...)
			if code != tt.code || !strings.Contains(errs, tt.err) {
				t.Fatalf("exit %d, stderr %q; want exit %d and %q", code, errs, tt.code, tt.err)
			}
			b, err := os.ReadFile(path)
			switch {
			case tt.code != 0 && err == nil:
				t.Errorf("%s was written although the command was refused", tt.file)
			case tt.code == 0 && (err != nil || !tt.valid(b)):
				t.Errorf("%s: %v, content not in the format its name says:\n%.200s", tt.file, err, b)
			}
		})
	}
}

// TestExportSeveralRoots: with two top-level committees, export without -committee names them
// and asks which, instead of exporting the first one's cadres as if they were all; with
// -committee it exports that one.
func TestExportSeveralRoots(t *testing.T) {
	path := demoDB(t)
	db, err := storage.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.PutCommittee(context.Background(), "另一个团市委", "", "city"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	out := filepath.Join(t.TempDir(), "排名.xlsx")
	code, _, errs := runVerb(t, "export", "-db", path, "-quarter", "2026Q4", "-o", out)
	if code != 1 ||
		!strings.Contains(errs, "有 2 个最上级团委（示范市团委、另一个团市委），请用 -committee 指定") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a file was written although the export was refused")
	}
	if code, _, errs := runVerb(t, "export", "-db", path, "-quarter", "2026Q4", "-committee", "示范市团委", "-o", out); code != 0 {
		t.Fatalf("with -committee: exit %d, stderr %q", code, errs)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("with -committee, nothing written: %v", err)
	}
}
