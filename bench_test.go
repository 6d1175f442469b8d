package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// BenchmarkIngest measures ingest through the full engine against bare batched SQLite inserts
// of the same rows, in the same process, for a fresh database and for the everyday case, and
// reports the rates and the ratios: to the plain baseline, the target's yardstick, and to one
// paced as the engine checkpoints in a burst.
func BenchmarkIngest(b *testing.B) {
	analyzer(nil)("预热分词词典")
	for i, sc := range ingestScenarios(50_000) {
		b.Run([]string{"cold", "warm"}[i], func(b *testing.B) {
			var sum rates
			for b.Loop() {
				r, err := ingestRates(context.Background(), sc)
				if err != nil {
					b.Fatal(err)
				}
				sum.bare, sum.paced, sum.engine = sum.bare+r.bare, sum.paced+r.paced, sum.engine+r.engine
			}
			n := float64(b.N)
			b.ReportMetric(sum.bare/n, "bare-msgs/s")
			b.ReportMetric(sum.paced/n, "bare-paced-msgs/s")
			b.ReportMetric(sum.engine/n, "engine-msgs/s")
			b.ReportMetric(sum.engine/sum.bare, "ratio")
			b.ReportMetric(sum.engine/sum.paced, "ratio-paced")
		})
	}
}

// BenchmarkSteadyLatency delivers 1,000 messages a second for 5 s through the full engine and
// reports the p50 and p99 latency from delivery to commit.
func BenchmarkSteadyLatency(b *testing.B) {
	analyzer(nil)("预热分词词典")
	for b.Loop() {
		lat, err := steadyLatency(context.Background(), 1000, 5*time.Second)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(quantile(lat, 0.5).Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(quantile(lat, 0.99).Microseconds())/1000, "p99-ms")
	}
}

// TestBenchVerbRefusesBadFlags: each out-of-range flag gets a Chinese hint and exit code 2,
// before any measuring starts.
func TestBenchVerbRefusesBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"-n", "10"}, "-n 至少为 1000"},
		{[]string{"-runs", "0"}, "-runs 至少为 1"},
		{[]string{"-rate", "0"}, "-rate 须在 1 到 20000 之间"},
		{[]string{"-duration", "10ms"}, "-duration 至少 1 秒"},
		{[]string{"-duration", "十秒"}, "invalid value"},
	} {
		var out, errs bytes.Buffer
		code := run(context.Background(), append([]string{"bench"}, tc.args...), &out, &errs)
		if code != 2 || !strings.Contains(errs.String(), tc.want) || out.Len() != 0 {
			t.Errorf("bench %v: exit %d, stderr %q, stdout %q; want exit 2 and %q", tc.args, code, errs.String(), out.String(), tc.want)
		}
	}
}

func TestMedianAndQuantile(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	lat := []time.Duration{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}
	if quantile(lat, 0.5) != 6 || quantile(lat, 0.99) != 10 || quantile(nil, 0.5) != 0 {
		t.Errorf("quantile: p50 %v p99 %v", quantile(lat, 0.5), quantile(lat, 0.99))
	}
}

// TestLabelLinesUpFigures: labels of Chinese, Latin and mixed text end at terminal column 36, a
// Chinese character and the full-width colon taking two columns.
func TestLabelLinesUpFigures(t *testing.T) {
	for _, tc := range []struct {
		label  string
		spaces int
	}{
		{"完整引擎", 26},             // 8 + 2
		{"裸 SQLite 批量写入", 16},    // 2 + 1 + 6 + 1 + 8 + 2
		{"比值 引擎/裸写入（检查点同引擎）", 2}, // 4 + 1 + 4 + 1 + 6 + 16 + 2
		{"abc", 31},
	} {
		if got, want := label(tc.label), tc.label+"："+strings.Repeat(" ", tc.spaces); got != want {
			t.Errorf("label(%q) = %q, want %q", tc.label, got, want)
		}
	}
}
