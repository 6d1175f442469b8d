package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"youthlink/bot"
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

// BenchmarkWriter measures the store alone on the cold scenario: the events normalized and
// analysed beforehand, handed to IngestBatch in the engine's batch size from one goroutine and
// settled, against the plain baseline in the same round. Beside BenchmarkIngest/cold it tells
// the writer's own cost (its rows and counting) from what the pipeline adds around it (analysis
// and handlers sharing the two cores, the handlers' tail).
func BenchmarkWriter(b *testing.B) {
	ctx := context.Background()
	an := analyzer(nil)
	evs := ingestScenarios(50_000)[0].evs
	ins := make([]bot.Incoming, len(evs))
	for i, ev := range evs {
		if err := bot.Normalize(&ev, time.Now()); err != nil {
			b.Fatal(err)
		}
		ins[i] = bot.Incoming{Event: ev, Live: true}
		if ev.Kind == bot.Text && ev.Text != "" {
			ins[i].Topics = an(ev.Text)
		}
	}
	var writer, bare float64
	for b.Loop() {
		w, p, err := writerRates(ctx, b.TempDir(), evs, ins)
		if err != nil {
			b.Fatal(err)
		}
		writer, bare = writer+w, bare+p
	}
	b.ReportMetric(writer/float64(b.N), "writer-msgs/s")
	b.ReportMetric(bare/float64(b.N), "bare-msgs/s")
	b.ReportMetric(writer/bare, "ratio")
}

// writerRates stores ins through IngestBatch in 2,048-event batches and settles, then writes evs
// as the plain baseline, both into fresh databases in dir, and returns both rates.
func writerRates(ctx context.Context, dir string, evs []bot.Event, ins []bot.Incoming) (writer, bare float64, err error) {
	a, stop, err := benchApp(ctx, filepath.Join(dir, "writer.db"), benchCadres, true)
	if err != nil {
		return 0, 0, err
	}
	defer stop()
	t0 := time.Now()
	for i := 0; i < len(ins); i += 2048 {
		if _, err := a.db.IngestBatch(ctx, ins[i:min(i+2048, len(ins))]); err != nil {
			return 0, 0, err
		}
	}
	if err := a.db.Settle(ctx); err != nil {
		return 0, 0, err
	}
	w := time.Since(t0)
	p, err := ingestBare(ctx, dir, nil, evs, false)
	if err != nil {
		return 0, 0, err
	}
	n := float64(len(evs))
	return n / w.Seconds(), n / p.Seconds(), nil
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
		{[]string{"-duration", "十秒"}, "参数 -duration 要一个时长"},
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
