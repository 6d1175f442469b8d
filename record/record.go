package record

import (
	"context"
	"fmt"
	"sort"
	"time"

	"youthlink/counting"
	"youthlink/period"
	"youthlink/storage"
)

// Policy is what turns facts into a record: point weights, plans per committee and the rules of
// the needs-effort list.
type Policy struct {
	Weights counting.Weights
	// Plans maps a committee name to its quarterly items; a committee without its own plan
	// inherits its nearest ancestor's, and the root falls back to Default.
	Plans   map[string][]PlanItem
	Default []PlanItem
	// NeedsCoverage is the coverage (0–1) a cadre should reach by quarter end; below it, scaled
	// by how much of the quarter has passed, a cadre goes on the needs-effort list.
	NeedsCoverage float64
	// LastDays: plan items still behind with this few days left put a cadre on the list.
	LastDays int
	// HonorSize is how many cadres the honor roll shows.
	HonorSize int
}

// DefaultPolicy is used where the configuration says nothing.
func DefaultPolicy() Policy {
	return Policy{Weights: counting.DefaultWeights(), Default: DefaultPlan(), NeedsCoverage: 0.6, LastDays: 30, HonorSize: 10}
}

// Record is one cadre's contact record (联系台账) over a span.
type Record struct {
	Cadre     storage.Cadre
	Committee string
	Span      period.Span
	Facts     *storage.Facts

	Coverage     int // percent of the target reached
	Points       int
	PointsByKind map[counting.Kind]int
	Plan         []Progress

	RankUnit, UnitSize int // rank among the cadres of the same committee
	RankAll, AllSize   int // rank among all cadres
}

// Source is what records are read from.
type Source interface {
	Facts(ctx context.Context, span period.Span, ids ...int64) (map[int64]*storage.Facts, error)
	Committees(ctx context.Context) ([]storage.Committee, error)
}

// Book is every cadre's record for one span, ranked: what /台账, /排行, digests and the dashboard read.
type Book struct {
	Span       period.Span
	At         time.Time // when it was compiled: the needs-effort list depends on how much of the span is left
	Records    []*Record // ranked by points, best first
	Committees []storage.Committee
	policy     Policy
	byCadre    map[int64]*Record
}

// Compile builds every cadre's record for span, as of at.
func Compile(ctx context.Context, src Source, p Policy, span period.Span, at time.Time) (*Book, error) {
	facts, err := src.Facts(ctx, span)
	if err != nil {
		return nil, fmt.Errorf("read facts: %w", err)
	}
	cs, err := src.Committees(ctx)
	if err != nil {
		return nil, fmt.Errorf("read committees: %w", err)
	}
	b := &Book{Span: span, At: at, Committees: cs, policy: p, byCadre: map[int64]*Record{}}
	names, parent := map[int64]string{}, map[int64]int64{}
	for _, c := range cs {
		names[c.ID], parent[c.ID] = c.Name, c.Parent
	}
	for _, f := range facts {
		r := &Record{Cadre: f.Cadre, Committee: names[f.Cadre.Committee], Span: span, Facts: f}
		r.Coverage = percent(f.Reached, f.Cadre.Target)
		r.Points, r.PointsByKind = p.Weights.Points(f.Days)
		r.Plan = progress(b.planFor(f.Cadre.Committee, names, parent), f)
		b.Records = append(b.Records, r)
		b.byCadre[f.Cadre.ID] = r
	}
	sort.Slice(b.Records, func(i, j int) bool { return better(b.Records[i], b.Records[j]) })
	// Equal points share a place, the next one skips: 1, 1, 3.
	unit, last := map[int64]int{}, map[int64]*Record{}
	for i, r := range b.Records {
		r.RankAll, r.AllSize = i+1, len(b.Records)
		if i > 0 && b.Records[i-1].Points == r.Points {
			r.RankAll = b.Records[i-1].RankAll
		}
		unit[r.Cadre.Committee]++
		r.RankUnit = unit[r.Cadre.Committee]
		if p := last[r.Cadre.Committee]; p != nil && p.Points == r.Points {
			r.RankUnit = p.RankUnit
		}
		last[r.Cadre.Committee] = r
	}
	for _, r := range b.Records {
		r.UnitSize = unit[r.Cadre.Committee]
	}
	return b, nil
}

func better(a, b *Record) bool {
	if a.Points != b.Points {
		return a.Points > b.Points
	}
	if a.Facts.Reached != b.Facts.Reached {
		return a.Facts.Reached > b.Facts.Reached
	}
	return a.Cadre.Name < b.Cadre.Name
}

// planFor finds the plan of a committee: its own, else its nearest ancestor's, else the default.
func (b *Book) planFor(committee int64, name map[int64]string, parent map[int64]int64) []PlanItem {
	for id, seen := committee, 0; id != 0 && seen < 64; id, seen = parent[id], seen+1 {
		if items, ok := b.policy.Plans[name[id]]; ok {
			return items
		}
	}
	return b.policy.Default
}

// Of returns a cadre's record, or nil.
func (b *Book) Of(cadre int64) *Record { return b.byCadre[cadre] }

// Subtree lists the ids of a committee and every committee below it.
func (b *Book) Subtree(committee int64) map[int64]bool {
	in := map[int64]bool{committee: true}
	for changed := true; changed; {
		changed = false
		for _, c := range b.Committees {
			if in[c.Parent] && !in[c.ID] {
				in[c.ID], changed = true, true
			}
		}
	}
	return in
}

// In lists the ranked records of a committee's subtree.
func (b *Book) In(committee int64) []*Record {
	sub := b.Subtree(committee)
	var out []*Record
	for _, r := range b.Records {
		if sub[r.Cadre.Committee] {
			out = append(out, r)
		}
	}
	return out
}

// Entry is one line of the honor roll or the needs-effort list.
type Entry struct {
	Record  *Record
	Reasons []string
	Place   int // on the honor roll: the place in the subtree, shared by equal points
}

// Honor is the honor roll (光荣榜) of a committee's subtree: the top cadres by points, each
// with what earned the place.
func (b *Book) Honor(committee int64) []Entry {
	var out []Entry
	for _, r := range b.In(committee) {
		if r.Points <= 0 || len(out) >= b.policy.HonorSize && out[len(out)-1].Record.Points != r.Points {
			break // full, unless this one ties with the last place
		}
		reasons := []string{fmt.Sprintf("积分 %d", r.Points), fmt.Sprintf("联系 %d 名青年，覆盖率 %d%%", r.Facts.Reached, r.Coverage)}
		if done := plansDone(r); done == len(r.Plan) && done > 0 {
			reasons = append(reasons, "季度“五个一”全部完成")
		}
		place := len(out) + 1
		if len(out) > 0 && out[len(out)-1].Record.Points == r.Points {
			place = out[len(out)-1].Place
		}
		out = append(out, Entry{Record: r, Reasons: reasons, Place: place})
	}
	return out
}

// Needs is the needs-effort list (加油榜) of a committee's subtree: cadres whose coverage is
// behind the quarter's pace, or whose plan items are behind with little of the quarter left (or
// none, for a quarter that has ended).
func (b *Book) Needs(committee int64) []Entry {
	var out []Entry
	elapsed := b.Span.Elapsed(b.At)
	left := b.Span.DaysLeft(b.At)
	pace := int(b.policy.NeedsCoverage * elapsed * 100)
	for _, r := range b.In(committee) {
		var reasons []string
		if r.Coverage < pace {
			reasons = append(reasons, fmt.Sprintf("覆盖率 %d%%（联系 %d/%d 人），低于进度要求 %d%%", r.Coverage, r.Facts.Reached, r.Cadre.Target, pace))
		}
		if left <= b.policy.LastDays {
			for _, p := range r.Plan {
				switch {
				case p.OK():
				case !b.At.Before(b.Span.To):
					reasons = append(reasons, fmt.Sprintf("「%s」完成 %s，季度已结束", p.Name(), p.Count()))
				default:
					reasons = append(reasons, fmt.Sprintf("「%s」完成 %s，本季度仅剩 %d 天", p.Name(), p.Count(), left))
				}
			}
		}
		if len(reasons) > 0 {
			out = append(out, Entry{Record: r, Reasons: reasons})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Record.Coverage < out[j].Record.Coverage })
	return out
}

func plansDone(r *Record) int {
	n := 0
	for _, p := range r.Plan {
		if p.OK() {
			n++
		}
	}
	return n
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
