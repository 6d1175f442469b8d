package record

import (
	"testing"

	"youthlink/storage"
)

// TestJSONPlanNameFollowsTarget: the JSON record names the coverage item after the cadre's own
// target, as the chat, the dashboard and the exports do.
func TestJSONPlanNameFollowsTarget(t *testing.T) {
	for _, tc := range []struct {
		target int
		want   string
	}{{100, "联系一百名青年"}, {10, "联系十名青年"}} {
		f := &storage.Facts{Cadre: storage.Cadre{Name: "赵敏", Target: tc.target}, Reached: 4}
		r := &Record{Cadre: f.Cadre, Facts: f, Plan: progress(DefaultPlan(), f)}
		var got string
		for _, p := range JSON(r).Plan {
			if p.Counts == CountCoverage {
				got = p.Name
			}
		}
		if got != tc.want {
			t.Errorf("target %d: coverage item %q, want %q", tc.target, got, tc.want)
		}
	}
}
