package digest

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"youthlink/counting"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

// Source is what a digest is read from: the store.
type Source interface {
	record.Source
	Groups(ctx context.Context) ([]storage.Group, error)
	TopTopics(ctx context.Context, groups []int64, fromWeek, toWeek string, n int) (topics, keywords []storage.Count, err error)
	GroupMessages(ctx context.Context, groups []int64, from, to time.Time) (map[int64]int, error)
	OpenQuestions(ctx context.Context, cadre int64) ([]storage.Question, error)
	ReachedByCadre(ctx context.Context, span period.Span) (map[int64]int, error)
	InteractionsByCadre(ctx context.Context, span period.Span) (map[int64]int, error)
}

// Overviewer writes the digest's opening paragraph from its figures (an LLM, wired by main).
type Overviewer interface {
	Overview(ctx context.Context, facts string) (string, error)
}

// Options tune Build. The zero value is usable.
type Options struct {
	Overview   Overviewer // nil: the paragraph is written from the figures
	TopN       int        // topics, keywords, questions and quiet groups listed (default 5)
	QuietWeeks int        // a group is quiet when silent this week after talking in the weeks before (default 3)
}

// Digest is one committee's weekly digest. Every figure covers the committee and the committees
// below it; quarter figures run from the quarter's start to the week's end.
type Digest struct {
	Committee string `json:"committee"`
	Week      string `json:"week"`
	From      string `json:"from"` // first day of the week
	To        string `json:"to"`   // last day of the week
	Quarter   string `json:"quarter"`

	Cadres       int `json:"cadres"`
	ActiveCadres int `json:"active_cadres"` // reached a youth or wrote in a group this week

	Reached         int `json:"reached"` // youths reached this week, summed over cadres
	ReachedLastWeek int `json:"reached_last_week"`
	Target          int `json:"target"`          // the cadres' targets summed
	QuarterReached  int `json:"quarter_reached"` // youths reached this quarter so far, summed over cadres
	Coverage        int `json:"coverage_percent"`
	CoverageLast    int `json:"coverage_last_week_percent"` // as it stood at the end of last week

	Interactions     []KindCount `json:"interactions"`
	InteractionsLast int         `json:"interactions_last_week"`
	Activities       []KindCount `json:"activities"`
	Topics           []NameCount `json:"topics"`
	Keywords         []NameCount `json:"keywords"`

	OpenQuestions int        `json:"open_questions"`
	Questions     []Question `json:"questions"` // the longest waiting

	Plan        []PlanLine   `json:"plan"`
	Honor       []Entry      `json:"honor"`
	Needs       []Entry      `json:"needs"`
	QuietGroups []QuietGroup `json:"quiet_groups"`

	Overview      string `json:"overview"`
	OverviewByLLM bool   `json:"overview_by_llm"`
}

// KindCount is a count of one kind of interaction or activity.
type KindCount struct {
	Kind  string `json:"kind"`
	Label string `json:"label"`
	N     int    `json:"n"`
}

// NameCount is a topic or keyword with its count.
type NameCount struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

// Question is an escalated question still waiting for its cadre.
type Question struct {
	Cadre   string `json:"cadre"`
	Text    string `json:"text"` // cut to 30 characters
	Waiting int    `json:"waiting_days"`
}

// PlanLine is how many cadres have done one item of the quarter's plan.
type PlanLine struct {
	Name   string `json:"name"`
	Min    int    `json:"min"`
	Done   int    `json:"cadres_done"`
	Cadres int    `json:"cadres"`
}

// Entry is a line of the honor roll or the needs-effort list.
type Entry struct {
	Place     int      `json:"place,omitempty"` // on the honor roll: shared by equal points (1, 1, 3)
	Cadre     string   `json:"cadre"`
	Committee string   `json:"committee"`
	Points    int      `json:"points"`
	Coverage  int      `json:"coverage_percent"`
	Reasons   []string `json:"reasons"`
}

// QuietGroup is a group silent this week that talked in the weeks before.
type QuietGroup struct {
	Name   string `json:"name"`
	Cadre  string `json:"cadre"`
	Before int    `json:"messages_before"`
}

// Build computes the digest of committee for week, as of the week's end.
func Build(ctx context.Context, src Source, p record.Policy, committee string, week period.Span, o Options) (*Digest, error) {
	if o.TopN <= 0 {
		o.TopN = 5
	}
	if o.QuietWeeks <= 0 {
		o.QuietWeeks = 3
	}
	at := week.To
	q := period.QuarterOf(week.From)
	thisQ := period.Span{Name: q.Name, From: q.From, To: week.To}
	prevWeek := period.WeekOf(week.From.AddDate(0, 0, -1))
	compile := func(s period.Span) (*record.Book, error) { return record.Compile(ctx, src, p, s, at) }
	wb, err := compile(week)
	if err != nil {
		return nil, err
	}
	var root int64
	for _, c := range wb.Committees {
		if c.Name == committee {
			root = c.ID
		}
	}
	if root == 0 {
		return nil, fmt.Errorf("团委「%s」不存在: %w", committee, storage.ErrNotFound)
	}
	qb, err := compile(thisQ)
	if err != nil {
		return nil, err
	}
	d := &Digest{Committee: committee, Week: week.Name, From: period.Day(week.From), To: period.Day(week.To.Add(-time.Second)), Quarter: q.Name}

	kinds := map[counting.Kind]int{}
	acts := map[string]int{}
	sub := wb.Subtree(root)
	for _, r := range wb.In(root) {
		d.Cadres++
		if r.Facts.Reached > 0 || r.Facts.Messages > 0 {
			d.ActiveCadres++
		}
		d.Reached += r.Facts.Reached
		for k, n := range r.Facts.ByKind {
			kinds[k] += n
		}
		for k, n := range r.Facts.Activities {
			acts[k] += n
		}
	}
	// Last week's figures need only two counts per cadre, not whole records.
	lastReach, err := src.ReachedByCadre(ctx, prevWeek)
	if err != nil {
		return nil, err
	}
	lastInter, err := src.InteractionsByCadre(ctx, prevWeek)
	if err != nil {
		return nil, err
	}
	for _, r := range wb.In(root) {
		d.ReachedLastWeek += lastReach[r.Cadre.ID]
		d.InteractionsLast += lastInter[r.Cadre.ID]
	}
	for _, k := range counting.Kinds {
		if kinds[k] > 0 {
			d.Interactions = append(d.Interactions, KindCount{Kind: string(k), Label: k.Label(), N: kinds[k]})
		}
	}
	for _, k := range []string{"offline", "online", "face_to_face"} {
		if acts[k] > 0 {
			d.Activities = append(d.Activities, KindCount{Kind: k, Label: record.ActivityNames[k], N: acts[k]})
		}
	}

	// Coverage this quarter, now and at the end of last week (the same cadres' targets).
	var lastReached int
	if prevWeek.To.After(q.From) {
		lq, err := src.ReachedByCadre(ctx, period.Span{Name: q.Name, From: q.From, To: week.From})
		if err != nil {
			return nil, err
		}
		for _, r := range wb.In(root) {
			lastReached += lq[r.Cadre.ID]
		}
	}
	var plan []PlanLine
	idx := map[string]int{} // plans differ between committees: one line per item name
	for _, r := range qb.In(root) {
		d.Target += r.Cadre.Target
		d.QuarterReached += r.Facts.Reached
		for _, pr := range r.Plan {
			i, ok := idx[pr.Item.Name]
			if !ok {
				i, idx[pr.Item.Name] = len(plan), len(plan)
				plan = append(plan, PlanLine{Name: pr.Item.Name, Min: pr.Item.Min})
			}
			plan[i].Cadres++
			if pr.OK() {
				plan[i].Done++
			}
		}
	}
	d.Plan = plan
	d.Coverage = percent(d.QuarterReached, d.Target)
	d.CoverageLast = percent(lastReached, d.Target)
	for _, e := range qb.Honor(root) {
		d.Honor = append(d.Honor, entry(e))
	}
	// The needs-effort list weighs progress by how much of the whole quarter has passed.
	whole := *qb
	whole.Span = q
	for _, e := range whole.Needs(root) {
		d.Needs = append(d.Needs, entry(e))
	}

	// Groups of the subtree's cadres: topics, keywords and the ones gone quiet.
	groups, err := src.Groups(ctx)
	if err != nil {
		return nil, err
	}
	cadreName := map[int64]string{}
	for _, r := range wb.Records {
		cadreName[r.Cadre.ID] = r.Cadre.Name
	}
	var ids []int64
	var mine []storage.Group
	for _, g := range groups {
		if r := wb.Of(g.Cadre); r != nil && sub[r.Cadre.Committee] {
			ids = append(ids, g.ID)
			mine = append(mine, g)
		}
	}
	topics, words, err := src.TopTopics(ctx, ids, week.Name, week.Name, o.TopN)
	if err != nil {
		return nil, err
	}
	d.Topics, d.Keywords = counts(topics), counts(words)
	now, err := src.GroupMessages(ctx, ids, week.From, week.To)
	if err != nil {
		return nil, err
	}
	before, err := src.GroupMessages(ctx, ids, week.From.AddDate(0, 0, -7*o.QuietWeeks), week.From)
	if err != nil {
		return nil, err
	}
	for _, g := range mine {
		if now[g.ID] == 0 && before[g.ID] > 0 {
			d.QuietGroups = append(d.QuietGroups, QuietGroup{Name: g.Name, Cadre: cadreName[g.Cadre], Before: before[g.ID]})
		}
	}
	sort.SliceStable(d.QuietGroups, func(i, j int) bool { return d.QuietGroups[i].Before > d.QuietGroups[j].Before })

	open, err := src.OpenQuestions(ctx, 0)
	if err != nil {
		return nil, err
	}
	for _, qu := range open {
		r := wb.Of(qu.Cadre)
		if r == nil || !sub[r.Cadre.Committee] || !qu.AskedAt.Before(at) {
			continue
		}
		d.OpenQuestions++
		if len(d.Questions) < o.TopN { // oldest first
			d.Questions = append(d.Questions, Question{Cadre: r.Cadre.Name, Text: cut(qu.Text, 30), Waiting: int(at.Sub(qu.AskedAt).Hours() / 24)})
		}
	}

	d.Overview = plainOverview(d)
	if o.Overview != nil {
		if s, err := o.Overview.Overview(ctx, Text(d)); err == nil && strings.TrimSpace(s) != "" {
			d.Overview, d.OverviewByLLM = strings.TrimSpace(s), true
		}
	}
	return d, nil
}

func entry(e record.Entry) Entry {
	return Entry{Place: e.Place, Cadre: e.Record.Cadre.Name, Committee: e.Record.Committee, Points: e.Record.Points, Coverage: e.Record.Coverage, Reasons: e.Reasons}
}

func counts(cs []storage.Count) []NameCount {
	out := make([]NameCount, 0, len(cs))
	for _, c := range cs {
		out = append(out, NameCount{Name: c.Name, N: c.N})
	}
	return out
}

func percent(a, b int) int {
	if b <= 0 {
		return 0
	}
	return a * 100 / b
}

// cut keeps the first n characters of s, marking a cut with "…".
func cut(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}

// signed writes a change as "+3", "-2" or "持平".
func signed(n int) string {
	switch {
	case n > 0:
		return fmt.Sprintf("+%d", n)
	case n < 0:
		return fmt.Sprint(n)
	}
	return "持平"
}

// plainOverview is the opening paragraph written from the figures, without an LLM.
func plainOverview(d *Digest) string {
	var b strings.Builder
	fmt.Fprintf(&b, "本周（%s）%s共有 %d 名团干部中的 %d 人开展了直接联系，联系青年 %d 人次（较上周 %s），",
		d.Week, d.Committee, d.Cadres, d.ActiveCadres, d.Reached, signed(d.Reached-d.ReachedLastWeek))
	change := "与上周持平"
	if n := d.Coverage - d.CoverageLast; n != 0 {
		change = "较上周 " + signed(n) + " 个百分点"
	}
	fmt.Fprintf(&b, "本季度覆盖率 %d%%（%s）。", d.Coverage, change)
	if len(d.Honor) > 0 {
		fmt.Fprintf(&b, "光荣榜第一名为%s。", d.Honor[0].Cadre)
	}
	if len(d.Needs) > 0 {
		fmt.Fprintf(&b, "加油榜上有 %d 人需要关注。", len(d.Needs))
	}
	if d.OpenQuestions > 0 {
		fmt.Fprintf(&b, "还有 %d 条青年提问待答复。", d.OpenQuestions)
	}
	return b.String()
}
