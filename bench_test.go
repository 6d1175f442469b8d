package main

import (
	"context"
	"testing"
)

// BenchmarkIngest measures ingest through the full engine against bare batched SQLite inserts
// of the same rows, in the same process, for a fresh database and for the everyday case, and
// reports both rates and their ratio.
func BenchmarkIngest(b *testing.B) {
	analyzer(nil)("预热分词词典")
	for i, sc := range ingestScenarios(50_000) {
		b.Run([]string{"cold", "warm"}[i], func(b *testing.B) {
			var bare, eng float64
			for b.Loop() {
				br, er, err := ingestRates(context.Background(), sc)
				if err != nil {
					b.Fatal(err)
				}
				bare += br
				eng += er
			}
			b.ReportMetric(bare/float64(b.N), "bare-msgs/s")
			b.ReportMetric(eng/float64(b.N), "engine-msgs/s")
			b.ReportMetric(eng/bare, "ratio")
		})
	}
}
