package main

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"testing"

	"youthlink/config"
	"youthlink/digest"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

// The province benchmarks read the database named by YOUTHLINK_BENCH_DB, made by
//
//	youthlink gen -db province.db   # 1,000 cadres, 100,000 youths, 5,000,000 messages
//
// and, when it is unset, generate a small one (50 cadres, 5,000 youths, 50,000 messages) and
// say so. Targets on 2 cores: one committee's digest < 5 s, every cadre's record < 10 s.

func benchStore(b *testing.B) *storage.DB {
	b.Helper()
	ctx := context.Background()
	path := os.Getenv("YOUTHLINK_BENCH_DB")
	if path == "" {
		b.Log("YOUTHLINK_BENCH_DB 未设置：生成一个小数据库（50 名团干部、5000 名青年、50000 条消息）代替全省规模")
		path = filepath.Join(b.TempDir(), "small.db")
		db, err := storage.Open(ctx, path)
		if err != nil {
			b.Fatal(err)
		}
		err = genProvince(ctx, db, genOptions{Cadres: 50, Youths: 5000, Messages: 50000}, io.Discard)
		db.Close()
		if err != nil {
			b.Fatal(err)
		}
	} else if _, err := os.Stat(path); err != nil {
		b.Fatalf("YOUTHLINK_BENCH_DB: %v", err)
	}
	db, err := storage.Open(ctx, path)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkProvinceDigest builds one committee's weekly digest: the province (the whole tree)
// and one city.
func BenchmarkProvinceDigest(b *testing.B) {
	db := benchStore(b)
	week := period.WeekOf(genEnd.AddDate(0, 0, -1))
	policy := config.Default().Policy()
	for _, committee := range []string{genProvinceRoot, "第01市团委"} {
		b.Run(committee, func(b *testing.B) {
			for b.Loop() {
				d, err := digest.Build(context.Background(), db, policy, committee, week, digest.Options{})
				if err != nil {
					b.Fatal(err)
				}
				if d.Cadres == 0 {
					b.Fatal("digest without cadres")
				}
			}
		})
	}
}

// BenchmarkProvinceRecords compiles every cadre's quarterly record and renders each.
func BenchmarkProvinceRecords(b *testing.B) {
	db := benchStore(b)
	at := genEnd.Add(-1)
	policy := config.Default().Policy()
	for b.Loop() {
		book, err := record.Compile(context.Background(), db, policy, period.QuarterOf(at), at)
		if err != nil {
			b.Fatal(err)
		}
		for _, r := range book.Records {
			if record.Text(r) == "" {
				b.Fatal("empty record")
			}
		}
		b.ReportMetric(float64(len(book.Records)), "cadres")
	}
}
