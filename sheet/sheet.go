package sheet

import (
	"fmt"
	"strings"

	"youthlink/counting"
	"youthlink/record"
)

// Percent is a share from 0 to 1: a percent-formatted number in a workbook, "8%" in CSV.
type Percent float64

// Header is the first row of every table.
var Header = func() []string {
	h := []string{"序号", "团干部", "所属团委", "类别", "目标", "直接联系人数", "覆盖率", "名册人数"}
	for _, k := range counting.Kinds {
		h = append(h, "互动次数·"+k.Label())
	}
	return append(h, "互动次数合计", "线下活动", "线上活动", "面对面交流", "话题", "积分", "单位排名", "全部排名", "季度“五个一”完成情况")
}()

// Table is one sheet: the ranked records of one committee.
type Table struct {
	Name    string // the committee, or another sheet title
	Records []*record.Record
}

// Row is a record as the cells of one row under Header; n is its 序号.
func Row(n int, r *record.Record) []any {
	f := r.Facts
	row := []any{n, r.Cadre.Name, r.Committee, record.KindNames[r.Cadre.Kind], r.Cadre.Target, f.Reached,
		Percent(float64(r.Coverage) / 100), f.Roster}
	total := 0
	for _, k := range counting.Kinds {
		row = append(row, f.ByKind[k])
		total += f.ByKind[k]
	}
	return append(row, total, f.Activities["offline"], f.Activities["online"], f.FaceToFace, f.TagPosts, r.Points,
		fmt.Sprintf("%d/%d", r.RankUnit, r.UnitSize), fmt.Sprintf("%d/%d", r.RankAll, r.AllSize), PlanSummary(r))
}

// PlanSummary reads like "2/5 项完成：开展一次线下活动 1/1 ✓；…".
func PlanSummary(r *record.Record) string {
	if len(r.Plan) == 0 {
		return "无计划"
	}
	done := 0
	parts := make([]string, len(r.Plan))
	for i, p := range r.Plan {
		if p.OK() {
			done++
		}
		parts[i] = p.String()
	}
	return fmt.Sprintf("%d/%d 项完成：%s", done, len(r.Plan), strings.Join(parts, "；"))
}

// Tables splits the records of a committee's subtree into one table per committee that has
// cadres, in the order of the committee list, each ranked as in the book.
func Tables(b *record.Book, committee int64) []Table {
	sub := b.Subtree(committee)
	var out []Table
	for _, c := range b.Committees {
		if !sub[c.ID] {
			continue
		}
		t := Table{Name: c.Name}
		for _, r := range b.Records {
			if r.Cadre.Committee == c.ID {
				t.Records = append(t.Records, r)
			}
		}
		if len(t.Records) > 0 {
			out = append(out, t)
		}
	}
	return out
}

// Ranking is the whole subtree in one table, ranked by points: the first sheet of an export.
func Ranking(b *record.Book, committee int64, title string) Table {
	return Table{Name: title, Records: b.In(committee)}
}
