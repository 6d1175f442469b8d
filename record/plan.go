package record

import (
	"fmt"
	"strconv"
	"strings"

	"youthlink/storage"
)

// What a plan item counts. Each is read from the records, never typed in by hand.
const (
	CountOffline    = "activity:offline" // offline activities logged
	CountOnline     = "activity:online"  // online activities logged
	CountFaceToFace = "face_to_face"     // distinct youths met face to face
	CountTagPosts   = "tag_posts"        // the cadre's posts with a #话题#
	CountCoverage   = "coverage"         // coverage of the target, in percent
	CountAnswers    = "answers"          // escalated questions answered
	CountReached    = "reached"          // distinct youths reached
)

// Counts lists every valid "counts" value with its Chinese meaning, for validation and help.
var Counts = map[string]string{
	CountOffline:    "线下活动次数",
	CountOnline:     "线上活动次数",
	CountFaceToFace: "面对面交流人数",
	CountTagPosts:   "发起 #话题# 次数",
	CountCoverage:   "联系覆盖率（%）",
	CountAnswers:    "答复青年提问次数",
	CountReached:    "直接联系青年人数",
}

// PlanItem is one of a quarter's "five ones": what counts toward it and the minimum.
type PlanItem struct {
	Name   string `yaml:"name"`
	Counts string `yaml:"counts"`
	Min    int    `yaml:"min"`
}

// Validate names what is wrong with an item.
func (p PlanItem) Validate() error {
	if strings.TrimSpace(p.Name) == "" {
		return fmt.Errorf("name 不能为空")
	}
	if _, ok := Counts[p.Counts]; !ok {
		return fmt.Errorf("counts「%s」不认识，可选：%s", p.Counts, strings.Join(sortedKeys(Counts), "、"))
	}
	if p.Min <= 0 {
		return fmt.Errorf("min 必须大于 0")
	}
	return nil
}

// DefaultPlan is a quarter's "five ones" as the League's general requirement reads: online voice,
// interaction and topics every day, an offline activity every quarter, a face-to-face talk.
func DefaultPlan() []PlanItem {
	return []PlanItem{
		{Name: "开展一次线下活动", Counts: CountOffline, Min: 1},
		{Name: "组织一次线上主题活动", Counts: CountOnline, Min: 1},
		{Name: "发起一组话题讨论", Counts: CountTagPosts, Min: 3},
		{Name: "进行一次面对面交流", Counts: CountFaceToFace, Min: 1},
		{Name: CoverageItemName, Counts: CountCoverage, Min: 100},
	}
}

// CoverageItemName is the coverage item as written for a target of 100; a cadre with another
// target reads it with theirs, e.g. 联系十名青年.
const CoverageItemName = "联系一百名青年"

// Progress is how far a cadre is with one plan item.
type Progress struct {
	Item PlanItem
	Done int // for a coverage item, in percent of the target
	// Reached and Need are, for a coverage item, the youths reached and how many the minimum
	// means for this cadre's target: the figures the chat shows.
	Reached, Need int
}

// OK reports whether the minimum is met.
func (p Progress) OK() bool { return p.Done >= p.Item.Min }

// Name is the item's name for this cadre: the default coverage item follows the target.
func (p Progress) Name() string {
	if p.Item.Counts == CountCoverage && p.Item.Name == CoverageItemName && p.Need != 100 {
		return "联系" + hanzi(p.Need) + "名青年"
	}
	return p.Item.Name
}

// Count reads like "1/3", or for a coverage item "4/10 人" (youths reached of those needed).
func (p Progress) Count() string {
	if p.Item.Counts == CountCoverage {
		return fmt.Sprintf("%d/%d 人", p.Reached, p.Need)
	}
	return fmt.Sprintf("%d/%d", p.Done, p.Item.Min)
}

// String reads like "开展一次线下活动 1/1 ✓".
func (p Progress) String() string {
	mark := "✗"
	if p.OK() {
		mark = "✓"
	}
	return fmt.Sprintf("%s %s %s", p.Name(), p.Count(), mark)
}

func progress(items []PlanItem, f *storage.Facts) []Progress {
	out := make([]Progress, len(items))
	for i, it := range items {
		var n int
		switch it.Counts {
		case CountOffline:
			n = f.Activities["offline"]
		case CountOnline:
			n = f.Activities["online"]
		case CountFaceToFace:
			n = f.FaceToFace
		case CountTagPosts:
			n = f.TagPosts
		case CountCoverage:
			n = percent(f.Reached, f.Cadre.Target)
			// percent rounds down, so the minimum is met from this many youths on
			out[i].Reached, out[i].Need = f.Reached, (it.Min*f.Cadre.Target+99)/100
		case CountAnswers:
			n = f.ByKind["answer"]
		case CountReached:
			n = f.Reached
		}
		out[i].Item, out[i].Done = it, n
	}
	return out
}

func percent(a, b int) int {
	if b <= 0 {
		return 0
	}
	return a * 100 / b
}

// hanzi writes 1 to 999 in Chinese numerals (10 is 十, 100 is 一百), anything else in digits.
func hanzi(n int) string {
	if n <= 0 || n >= 1000 {
		return strconv.Itoa(n)
	}
	d := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}
	h, t, u := n/100, n/10%10, n%10
	s := ""
	if h > 0 {
		s += d[h] + "百"
	}
	switch {
	case t == 1 && h == 0:
		s += "十"
	case t > 0:
		s += d[t] + "十"
	case h > 0 && u > 0:
		s += "零"
	}
	if u > 0 {
		s += d[u]
	}
	return s
}
