package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"youthlink/bot"
)

func TestRosterVerbs(t *testing.T) {
	cfg, db := scratch(t, bot.QQ, "10001")
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "模板.xlsx")
	if code, _, errOut := runVerb(t, "roster", "template", "-o", tmpl); code != 0 {
		t.Fatalf("template exit %d: %s", code, errOut)
	}
	// The template unchanged is refused: its example rows would enter the live roster.
	if code, _, errOut := runVerb(t, "roster", "import", "-config", cfg, "-db", db, tmpl); code != 1 || !strings.Contains(errOut, "「示例王小明」是模板里的示例行") {
		t.Fatalf("import of the unchanged template exit %d: %s", code, errOut)
	}
	filled := filepath.Join(dir, "填好的名单.csv")
	os.WriteFile(filled, []byte("团委,上级团委,层级\n城区团委,,市级\n大学团委,城区团委,基层\n团干部,所属团委,类别,目标人数\n王小明,大学团委,专职,100\n群名,平台,团干部\n青年之家,QQ,王小明\n"), 0o600)
	code, out, errOut := runVerb(t, "roster", "import", "-config", cfg, "-db", db, filled)
	if code != 0 || !strings.Contains(out, "团委 2 个，团干部 1 名，群 1 个") {
		t.Fatalf("import exit %d: %s %s", code, out, errOut)
	}
	// The scratch database already had 团市委 and 王老师; the export has both rosters.
	exported := filepath.Join(dir, "名单.xlsx")
	if code, _, errOut := runVerb(t, "roster", "export", "-config", cfg, "-db", db, "-o", exported); code != 0 {
		t.Fatalf("export exit %d: %s", code, errOut)
	}
	fresh := filepath.Join(dir, "fresh.db")
	if code, out, errOut := runVerb(t, "roster", "import", "-config", cfg, "-db", fresh, exported); code != 0 {
		t.Fatalf("import of the export exit %d: %s %s", code, out, errOut)
	}
	csvA, csvB := filepath.Join(dir, "a.csv"), filepath.Join(dir, "b.csv")
	runVerb(t, "roster", "export", "-config", cfg, "-db", db, "-o", csvA)
	runVerb(t, "roster", "export", "-config", cfg, "-db", fresh, "-o", csvB)
	a, errA := os.ReadFile(csvA)
	b, errB := os.ReadFile(csvB)
	if errA != nil || errB != nil || string(a) != string(b) {
		t.Fatalf("CSV exports of the two databases differ (%v %v):\n%s\n%s", errA, errB, a, b)
	}
	for _, want := range []string{"团市委,,city", "王老师,团市委,专职,100", "青年之家,QQ,王小明"} {
		if !strings.Contains(string(a), want) {
			t.Errorf("export lacks %q:\n%s", want, a)
		}
	}

	bad := filepath.Join(dir, "bad.csv")
	os.WriteFile(bad, []byte("团干部,所属团委,类别,目标人数\n新人,团市委,专职,-1\n"), 0o600)
	unknown := filepath.Join(dir, "unknown.csv")
	os.WriteFile(unknown, []byte("团干部,所属团委,类别\n新人,团市委,专职\n别人,没有的团委,专职\n"), 0o600)
	tests := []struct {
		name string
		args []string
		code int
		want string
	}{
		{"bad row", []string{"import", "-config", cfg, "-db", db, bad}, 1, "第 2 行「目标人数」列：不能是负数"},
		{"unknown committee", []string{"import", "-config", cfg, "-db", db, unknown}, 1, "第 3 行「所属团委」列：团委「没有的团委」不存在"},
		{"directory", []string{"import", "-config", cfg, "-db", db, dir}, 1, "是目录"},
		{"not a roster file", []string{"import", "-config", cfg, "-db", db, tmpl + ".txt"}, 1, "不存在"},
		{"no subcommand", nil, 2, "用法"},
		{"unknown subcommand", []string{"delete"}, 2, "没有「delete」"},
		{"export without -o", []string{"export", "-config", cfg, "-db", db}, 2, "-o"},
		{"export to pdf", []string{"export", "-config", cfg, "-db", db, "-o", filepath.Join(dir, "x.pdf")}, 1, ".pdf"},
		{"template as csv", []string{"template", "-o", filepath.Join(dir, "t.csv")}, 1, ".xlsx"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, errOut := runVerb(t, append([]string{"roster"}, tt.args...)...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d (want %d), stderr %q lacks %q", code, tt.code, errOut, tt.want)
			}
		})
	}
	// Neither failed import stored 新人.
	runVerb(t, "roster", "export", "-config", cfg, "-db", db, "-o", csvA)
	if a, _ := os.ReadFile(csvA); strings.Contains(string(a), "新人") {
		t.Fatalf("a refused roster was stored:\n%s", a)
	}
}
