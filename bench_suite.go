package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"youthlink/config"
	"youthlink/digest"
	"youthlink/period"
	"youthlink/record"
	"youthlink/storage"
)

// median is the middle of xs (the mean of the two middle values for an even count).
func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}

// steadyLatency delivers rate group messages a second for dur through the full engine into a
// fresh database and returns each message's latency from delivery until its transaction
// committed, sorted.
func steadyLatency(ctx context.Context, rate int, dur time.Duration) ([]time.Duration, error) {
	n := int(float64(rate) * dur.Seconds())
	evs := synthChat(n, benchGroups, benchYouths, benchCadres)
	dir, err := os.MkdirTemp("", "youthlink-latency-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	a, stop, err := benchApp(ctx, filepath.Join(dir, "latency.db"), benchCadres, false)
	if err != nil {
		return nil, err
	}
	defer stop()
	lat := make([]time.Duration, n)
	errs := make(chan error, 1)
	var wg sync.WaitGroup
	interval := time.Second / time.Duration(rate)
	t0 := time.Now()
	for i := range evs {
		if d := time.Until(t0.Add(time.Duration(i) * interval)); d > 0 {
			time.Sleep(d)
		}
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			sent := time.Now()
			if _, err := a.engine.DeliverWait(ctx, evs[i]); err != nil {
				select {
				case errs <- err:
				default:
				}
			}
			lat[i] = time.Since(sent)
		}(i)
	}
	wg.Wait()
	select {
	case err := <-errs:
		return nil, err
	default:
	}
	slices.Sort(lat)
	return lat, nil
}

// quantile of sorted durations.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	return sorted[min(len(sorted)-1, int(q*float64(len(sorted))))]
}

// provinceTimes builds the root committee's and one city's weekly digest and every cadre's
// quarterly record on a generated province, runs times each, and returns the medians.
func provinceTimes(ctx context.Context, db *storage.DB, runs int) (root, city, records time.Duration, cadres int, err error) {
	week := period.WeekOf(genEnd.AddDate(0, 0, -1))
	at := genEnd.Add(-1)
	policy := config.Default().Policy()
	timed := func(f func() error) (time.Duration, error) {
		var ds []float64
		for range runs {
			t0 := time.Now()
			if err := f(); err != nil {
				return 0, err
			}
			ds = append(ds, float64(time.Since(t0)))
		}
		return time.Duration(median(ds)), nil
	}
	digestOf := func(committee string) func() error {
		return func() error {
			d, err := digest.Build(ctx, db, policy, committee, week, digest.Options{})
			if err == nil && d.Cadres == 0 {
				err = fmt.Errorf("%s 的周报没有团干部", committee)
			}
			return err
		}
	}
	if root, err = timed(digestOf(genProvinceRoot)); err != nil {
		return
	}
	if city, err = timed(digestOf("第01市团委")); err != nil {
		return
	}
	records, err = timed(func() error {
		book, err := record.Compile(ctx, db, policy, period.QuarterOf(at), at)
		if err != nil {
			return err
		}
		for _, r := range book.Records {
			if record.Text(r) == "" {
				return fmt.Errorf("团干部 %s 的台账为空", r.Cadre.Name)
			}
		}
		cadres = len(book.Records)
		return nil
	})
	return
}

// openProvince opens the province database at path, generating it there first when it does
// not exist yet (the full province takes minutes; later runs reuse the file).
func openProvince(ctx context.Context, path string, o genOptions, w io.Writer) (*storage.DB, error) {
	if _, err := os.Stat(path); err != nil {
		fmt.Fprintf(w, "  生成合成数据：%d 名团干部、%d 名青年、%d 条消息……\n", o.Cadres, o.Youths, o.Messages)
		db, err := storage.Open(ctx, path)
		if err != nil {
			return nil, err
		}
		t0 := time.Now()
		if err := genProvince(ctx, db, o, io.Discard); err != nil {
			db.Close()
			return nil, err
		}
		if err := db.Close(); err != nil {
			return nil, err
		}
		fmt.Fprintf(w, "  生成用时 %v\n", time.Since(t0).Round(time.Second))
	}
	return storage.Open(ctx, path)
}

// peakRSS is the most resident memory this process has had, in MiB.
func peakRSS() float64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return float64(ru.Maxrss) / 1024 // Linux reports KiB
}

// benchOptions choose what youthlink bench measures.
type benchOptions struct {
	n, runs  int
	rate     int
	duration time.Duration
	province string // existing or to-be-generated province database; "" generates a small one
}

// benchSuite prints every figure of youthlink bench: ingest against the bare baseline, latency
// at a steady rate, digest and record build times on a province, and peak memory.
func benchSuite(ctx context.Context, w io.Writer, o benchOptions) error {
	if err := benchIngest(ctx, w, o.n, o.runs); err != nil {
		return fmt.Errorf("写入基准：%w", err)
	}

	fmt.Fprintf(w, "\n延迟：稳定 %d 条/秒，持续 %v，经完整引擎（送达 → 事务提交）\n", o.rate, o.duration)
	lat, err := steadyLatency(ctx, o.rate, o.duration)
	if err != nil {
		return fmt.Errorf("延迟基准：%w", err)
	}
	fmt.Fprintf(w, "  %d 条：p50 %v，p99 %v，最大 %v\n", len(lat), quantile(lat, 0.50).Round(10*time.Microsecond),
		quantile(lat, 0.99).Round(10*time.Microsecond), lat[len(lat)-1].Round(10*time.Microsecond))

	gen := genOptions{Cadres: 1000, Youths: 100_000, Messages: 5_000_000}
	path := o.province
	scale := "全省规模"
	if path == "" {
		gen = genOptions{Cadres: 100, Youths: 10_000, Messages: 500_000}
		scale = "十分之一规模（全省规模请用 -province 文件名，首次运行会生成）"
		dir, err := os.MkdirTemp("", "youthlink-province-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "province.db")
	}
	fmt.Fprintf(w, "\n周报与台账：%s，每项 %d 次取中位数\n", scale, o.runs)
	db, err := openProvince(ctx, path, gen, w)
	if err != nil {
		return fmt.Errorf("合成数据：%w", err)
	}
	defer db.Close()
	root, city, records, cadres, err := provinceTimes(ctx, db, o.runs)
	if err != nil {
		return fmt.Errorf("周报与台账基准：%w", err)
	}
	fmt.Fprintf(w, "  省团委周报（全省）：%v（目标 < 5 秒）\n", root.Round(time.Millisecond))
	fmt.Fprintf(w, "  市团委周报：        %v（目标 < 5 秒）\n", city.Round(time.Millisecond))
	fmt.Fprintf(w, "  全部 %d 名团干部的季度台账：%v（目标 < 10 秒）\n", cadres, records.Round(time.Millisecond))

	fmt.Fprintln(w)
	if err := benchBackends(ctx, w); err != nil {
		return fmt.Errorf("后端对比：%w", err)
	}

	fmt.Fprintf(w, "\n内存：本进程峰值常驻内存 %.0f MiB（含分词词典约 150 MB）\n", peakRSS())
	return nil
}
