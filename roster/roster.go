package roster

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"

	"youthlink/bot"
	"youthlink/config"
)

// Format is a roster file format.
type Format string

// Formats Parse and Export know.
const (
	XLSX Format = "xlsx"
	CSV  Format = "csv"
)

// FormatOf tells the format from a file name's extension.
func FormatOf(name string) (Format, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".xlsx":
		return XLSX, nil
	case ".csv":
		return CSV, nil
	}
	return "", fmt.Errorf("不认识文件类型「%s」：名单只能是 .xlsx 或 .csv", filepath.Ext(name))
}

// Pos is where a row came from: the sheet (empty for CSV) and the 1-based row or line.
type Pos struct {
	Sheet string
	Row   int
}

// Committee is a row of the 团委 table.
type Committee struct {
	Name, Parent, Level string
	Pos                 Pos
}

// Cadre is a row of the 团干部 table. Kind is the English kind (full_time, …); Target is always
// positive (an empty cell means the kind's default: 100, or 10 for part_time).
type Cadre struct {
	Name, Committee, Kind string
	Target                int
	Pos                   Pos
}

// Group is a row of the 群 table: the group named Name on Platform is kept by the cadre Cadre.
type Group struct {
	Name     string
	Platform bot.Platform
	Cadre    string
	Pos      Pos
}

// Roster is a parsed roster file. Errors lists every row that could not be taken; Apply refuses
// a roster with errors.
type Roster struct {
	Committees []Committee
	Cadres     []Cadre
	Groups     []Group
	Errors     []RowError
}

// RowError is one problem with one row (and column, when it is about a cell), in Chinese.
type RowError struct {
	Sheet  string
	Row    int
	Column string
	Reason string
}

func (e RowError) Error() string {
	var b strings.Builder
	if e.Sheet != "" {
		fmt.Fprintf(&b, "工作表「%s」", e.Sheet)
	}
	fmt.Fprintf(&b, "第 %d 行", e.Row)
	if e.Column != "" {
		fmt.Fprintf(&b, "「%s」列", e.Column)
	}
	return b.String() + "：" + e.Reason
}

// Errors is a list of row errors as one error, one per line.
type Errors []RowError

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return fmt.Sprintf("名单有 %d 处错误，未写入任何内容：\n", len(es)) + strings.Join(lines, "\n")
}

// The headers of the three tables, in export order.
const (
	hCommittee = "团委"
	hParent    = "上级团委"
	hLevel     = "层级"
	hCadre     = "团干部"
	hOwnCom    = "所属团委"
	hKind      = "类别"
	hTarget    = "目标人数"
	hGroup     = "群名"
	hPlatform  = "平台"
)

// table is one of the three kinds of table.
type table int

const (
	noTable table = iota
	committeeTable
	cadreTable
	groupTable
)

var (
	headers = map[table][]string{
		committeeTable: {hCommittee, hParent, hLevel},
		cadreTable:     {hCadre, hOwnCom, hKind, hTarget},
		groupTable:     {hGroup, hPlatform, hCadre},
	}
	required = map[table][]string{
		committeeTable: {hCommittee, hParent},
		cadreTable:     {hCadre, hOwnCom, hKind},
		groupTable:     {hGroup, hPlatform, hCadre},
	}
	sheetNames = map[table]string{committeeTable: "团委", cadreTable: "团干部", groupTable: "群"}
	headerWord = map[string]bool{}
)

func init() {
	for _, hs := range headers {
		for _, h := range hs {
			headerWord[h] = true
		}
	}
}

// kindNames maps the Chinese cadre kinds to the English ones.
var kindNames = map[string]string{}

func init() {
	for en, zh := range config.CadreKinds {
		kindNames[zh] = en
	}
}

// maxFile caps what Parse reads.
const maxFile = 32 << 20

// Parse reads a roster file. It returns an error only when the file as a whole cannot be read
// (not an .xlsx, not UTF-8, too big, no table found); problems with rows go to Roster.Errors.
func Parse(r io.Reader, format Format) (*Roster, error) {
	b, err := io.ReadAll(io.LimitReader(r, maxFile+1))
	if err != nil {
		return nil, fmt.Errorf("读取名单：%w", err)
	}
	if len(b) > maxFile {
		return nil, fmt.Errorf("名单文件超过 %d MB", maxFile>>20)
	}
	p := &parser{r: &Roster{}, seen: map[string]Pos{}}
	switch format {
	case CSV:
		err = p.csv(b)
	case XLSX:
		err = p.xlsx(b)
	default:
		err = fmt.Errorf("不认识的名单格式「%s」：只能是 xlsx 或 csv", format)
	}
	if err != nil {
		return nil, err
	}
	if !p.found {
		return nil, errors.New("文件里没有找到名单表：表头应为「团委、上级团委、层级」「团干部、所属团委、类别、目标人数」或「群名、平台、团干部」")
	}
	return p.r, nil
}

// parser turns rows into a Roster, table by table.
type parser struct {
	r     *Roster
	found bool           // a header row was seen
	seen  map[string]Pos // table-qualified key → first row, for duplicates

	sheet   string
	cur     table
	cols    map[string]int // header → column index of the current table
	broken  bool           // the current table's header lacks columns: its rows are skipped
	lost    bool           // rows before any header were reported for this sheet
	dataRow bool
}

func (p *parser) fail(row int, col, format string, a ...any) {
	p.r.Errors = append(p.r.Errors, RowError{p.sheet, row, col, fmt.Sprintf(format, a...)})
}

// startSheet resets the table state for a new sheet (or the CSV file).
func (p *parser) startSheet(name string) {
	p.sheet, p.cur, p.cols, p.broken, p.lost = name, noTable, nil, false, false
}

// row takes one row of cells.
func (p *parser) row(n int, cells []string) {
	for i := range cells {
		cells[i] = cleanCell(cells[i])
	}
	if !slicesAny(cells) {
		return
	}
	if t := headerKind(cells); t != noTable {
		p.found = true
		p.cur, p.cols, p.broken = t, map[string]int{}, false
		for i, c := range cells {
			if headerWord[c] {
				if _, dup := p.cols[c]; dup {
					p.fail(n, c, "表头重复")
					p.broken = true
				}
				p.cols[c] = i
			}
		}
		for _, h := range required[t] {
			if _, ok := p.cols[h]; !ok {
				p.fail(n, h, "缺少「%s」列（%s表需要：%s）", h, sheetNames[t], strings.Join(required[t], "、"))
				p.broken = true
			}
		}
		return
	}
	switch {
	case p.cur == noTable:
		if !p.lost {
			p.fail(n, "", "在表头之前：表头应为「团委、上级团委、层级」「团干部、所属团委、类别、目标人数」或「群名、平台、团干部」")
			p.lost = true
		}
		return
	case p.broken:
		return
	}
	get := func(h string) string {
		if i, ok := p.cols[h]; ok && i < len(cells) {
			return cells[i]
		}
		return ""
	}
	for h, i := range p.cols {
		if i < len(cells) && headerWord[cells[i]] {
			p.fail(n, h, "「%s」是表头用语，不能用作内容", cells[i])
			return
		}
	}
	for _, h := range []string{hGroup, hCadre, hCommittee} { // the row's own name first
		if name := get(h); strings.HasPrefix(name, exampleMark) {
			p.fail(n, h, "「%s」是模板里的示例行，请删掉或改成真实名称", name)
			return
		}
	}
	pos := Pos{p.sheet, n}
	switch p.cur {
	case committeeTable:
		c := Committee{Name: get(hCommittee), Parent: get(hParent), Level: get(hLevel), Pos: pos}
		switch {
		case c.Name == "":
			p.fail(n, hCommittee, "不能为空")
		case c.Parent == c.Name:
			p.fail(n, hParent, "不能是团委自己")
		case p.dup("c\x00"+c.Name, n, hCommittee, c.Name):
		default:
			p.r.Committees = append(p.r.Committees, c)
		}
	case cadreTable:
		c := Cadre{Name: get(hCadre), Committee: get(hOwnCom), Pos: pos}
		ok := true
		if c.Name == "" {
			p.fail(n, hCadre, "不能为空")
			ok = false
		}
		if c.Committee == "" {
			p.fail(n, hOwnCom, "不能为空")
			ok = false
		}
		kind := get(hKind)
		if en, zh := kindNames[kind], config.CadreKinds[kind]; en != "" {
			c.Kind = en
		} else if zh != "" {
			c.Kind = kind
		} else {
			p.fail(n, hKind, "「%s」不认识，可选 专职、挂职、领导机关兼职、兼职（或 full_time、seconded、leader_part_time、part_time）", kind)
			ok = false
		}
		target, err := parseTarget(get(hTarget))
		if err != nil {
			p.fail(n, hTarget, "%s", err.Error())
			ok = false
		}
		c.Target = config.TargetFor(c.Kind, target)
		if ok && !p.dup("d\x00"+c.Name, n, hCadre, c.Name) {
			p.r.Cadres = append(p.r.Cadres, c)
		}
	case groupTable:
		g := Group{Name: get(hGroup), Cadre: get(hCadre), Pos: pos}
		ok := true
		if g.Name == "" {
			p.fail(n, hGroup, "不能为空")
			ok = false
		}
		plat := get(hPlatform)
		switch strings.ToLower(plat) {
		case "qq":
			g.Platform = bot.QQ
		case "wechat", "微信":
			g.Platform = bot.WeChat
		default:
			p.fail(n, hPlatform, "「%s」不认识，可选 QQ 或 微信", plat)
			ok = false
		}
		if g.Cadre == "" {
			p.fail(n, hCadre, "不能为空")
			ok = false
		}
		if ok && !p.dup("g\x00"+string(g.Platform)+"\x00"+g.Name, n, hGroup, g.Name) {
			p.r.Groups = append(p.r.Groups, g)
		}
	}
}

// exampleMark starts every name in the template's example rows (WriteTemplate): a sheet
// imported without replacing them would put 示例王小明 into the live roster.
const exampleMark = "示例"

// dup reports a name already used in this table and says so.
func (p *parser) dup(key string, n int, col, name string) bool {
	if first, ok := p.seen[key]; ok {
		where := fmt.Sprintf("第 %d 行", first.Row)
		if first.Sheet != "" && first.Sheet != p.sheet {
			where = fmt.Sprintf("工作表「%s」%s", first.Sheet, where)
		}
		p.fail(n, col, "「%s」与%s重复", name, where)
		return true
	}
	p.seen[key] = Pos{p.sheet, n}
	return false
}

// headerKind tells whether a row is a table's header row, and which table: the row names the
// table's first column and one more of its columns, or holds nothing but header words.
func headerKind(cells []string) table {
	words := map[string]bool{}
	others := 0
	for _, c := range cells {
		switch {
		case c == "":
		case headerWord[c]:
			words[c] = true
		default:
			others++
		}
	}
	if len(words) == 0 {
		return noTable
	}
	var t table
	switch {
	case words[hGroup] || words[hPlatform]:
		t = groupTable
	case words[hOwnCom] || words[hKind] || words[hTarget]:
		t = cadreTable
	case words[hParent] || words[hLevel]:
		t = committeeTable
	case words[hCadre]:
		t = cadreTable
	default:
		t = committeeTable
	}
	if others == 0 {
		return t
	}
	known := 0
	for _, h := range headers[t] {
		if words[h] {
			known++
		}
	}
	if words[headers[t][0]] && known >= 2 {
		return t
	}
	return noTable
}

// parseTarget reads 目标人数: empty is 0 (by kind); a whole number, not negative.
func parseTarget(s string) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		f, ferr := strconv.ParseFloat(s, 64)
		if ferr != nil || f != math.Trunc(f) || math.Abs(f) > 1e6 {
			return 0, fmt.Errorf("「%s」不是整数", s)
		}
		n = int(f)
	}
	switch {
	case n < 0:
		return 0, fmt.Errorf("不能是负数（留空或 0 表示按类别：兼职 10，其他 100）")
	case n > 1000000:
		return 0, fmt.Errorf("「%s」太大了", s)
	}
	return n, nil
}

// cleanCell trims a cell and turns line breaks, tabs and other control characters (and a BOM)
// into spaces: names are one line.
func cleanCell(s string) string {
	return strings.TrimSpace(strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\uFEFF' || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s))
}

func slicesAny(cells []string) bool {
	for _, c := range cells {
		if c != "" {
			return true
		}
	}
	return false
}

// kindLabel is the Chinese name export writes for a kind.
func kindLabel(kind string) string {
	if zh := config.CadreKinds[kind]; zh != "" {
		return zh
	}
	return kind
}

// platformLabel is the name export writes for a platform.
func platformLabel(p bot.Platform) string {
	switch p {
	case bot.QQ:
		return "QQ"
	case bot.WeChat:
		return "微信"
	}
	return string(p)
}

// rows gives a table's header and data rows as export writes them.
func (r *Roster) rows(t table) [][]any {
	out := [][]any{toAny(headers[t])}
	switch t {
	case committeeTable:
		for _, c := range r.Committees {
			out = append(out, []any{c.Name, c.Parent, c.Level})
		}
	case cadreTable:
		for _, c := range r.Cadres {
			out = append(out, []any{c.Name, c.Committee, kindLabel(c.Kind), c.Target})
		}
	case groupTable:
		for _, g := range r.Groups {
			out = append(out, []any{g.Name, platformLabel(g.Platform), g.Cadre})
		}
	}
	return out
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// hasBOM tells whether b starts with a UTF-8 byte order mark.
func hasBOM(b []byte) bool { return bytes.HasPrefix(b, []byte("\uFEFF")) }
