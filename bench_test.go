package main

import (
	"context"
	"testing"
)

// BenchmarkIngest measures ingest through the full engine against bare batched SQLite inserts
// of the same rows, in the same process, and reports both rates and their ratio.
func BenchmarkIngest(b *testing.B) {
	const n, groups, youths, cadres = 50_000, 200, 20_000, 50
	evs := synthChat(n, groups, youths, cadres)
	analyzer(nil)("预热分词词典")
	ctx := context.Background()
	var bareRate, engRate float64
	for i := 0; i < b.N; i++ {
		bare, err := ingestBare(ctx, b.TempDir(), evs)
		if err != nil {
			b.Fatal(err)
		}
		eng, err := ingestEngine(ctx, b.TempDir(), evs, cadres)
		if err != nil {
			b.Fatal(err)
		}
		bareRate += float64(n) / bare.Seconds()
		engRate += float64(n) / eng.Seconds()
	}
	b.ReportMetric(bareRate/float64(b.N), "bare-msgs/s")
	b.ReportMetric(engRate/float64(b.N), "engine-msgs/s")
	b.ReportMetric(engRate/bareRate, "ratio")
}
