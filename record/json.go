package record

// RecordJSON is the JSON form of a record (`youthlink record -format json`).
type RecordJSON struct {
	Cadre         string         `json:"cadre"`
	Committee     string         `json:"committee"`
	Kind          string         `json:"kind"`
	Quarter       string         `json:"quarter"`
	Target        int            `json:"target"`
	Reached       int            `json:"reached"`
	Coverage      int            `json:"coverage_percent"`
	Roster        int            `json:"roster"`
	Interactions  map[string]int `json:"interactions"`
	Activities    map[string]int `json:"activities"`
	FaceToFace    int            `json:"face_to_face_youths"`
	TagPosts      int            `json:"tag_posts"`
	Points        int            `json:"points"`
	PointsByKind  map[string]int `json:"points_by_kind"`
	Plan          []PlanJSON     `json:"plan"`
	RankUnit      int            `json:"rank_unit"`
	UnitSize      int            `json:"unit_size"`
	RankAll       int            `json:"rank_all"`
	AllSize       int            `json:"all_size"`
	OpenQuestions int            `json:"open_questions"`
}

// PlanJSON is one plan item's progress.
type PlanJSON struct {
	Name   string `json:"name"`
	Counts string `json:"counts"`
	Done   int    `json:"done"`
	Min    int    `json:"min"`
	OK     bool   `json:"ok"`
}

// JSON converts a record to its JSON form.
func JSON(r *Record) RecordJSON {
	f := r.Facts
	out := RecordJSON{
		Cadre: r.Cadre.Name, Committee: r.Committee, Kind: r.Cadre.Kind, Quarter: r.Span.Name, Target: r.Cadre.Target,
		Reached: f.Reached, Coverage: r.Coverage, Roster: f.Roster, Interactions: map[string]int{}, Activities: map[string]int{},
		FaceToFace: f.FaceToFace, TagPosts: f.TagPosts, Points: r.Points, PointsByKind: map[string]int{}, Plan: []PlanJSON{},
		RankUnit: r.RankUnit, UnitSize: r.UnitSize, RankAll: r.RankAll, AllSize: r.AllSize, OpenQuestions: f.OpenQuestions,
	}
	for k, v := range f.ByKind {
		out.Interactions[string(k)] = v
	}
	for k, v := range f.Activities {
		out.Activities[k] = v
	}
	for k, v := range r.PointsByKind {
		out.PointsByKind[string(k)] = v
	}
	for _, p := range r.Plan {
		out.Plan = append(out.Plan, PlanJSON{Name: p.Name(), Counts: p.Item.Counts, Done: p.Done, Min: p.Item.Min, OK: p.OK()})
	}
	return out
}
