package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the scratch schema

	"youthlink/bot"
	"youthlink/config"
	"youthlink/digest"
	"youthlink/period"
	"youthlink/storage/pgschema"
)

// benchPGEnv lists where the backend comparison looks for a PostgreSQL DSN, in order: the
// variable the configuration names by default (storage.dsn_env), then the test suite's.
func benchPGEnv() []string { return []string{config.Default().Storage.DSNEnv, "YOUTHLINK_TEST_PG_DSN"} }

// backendRun is one backend's figures in the comparison.
type backendRun struct {
	ingest, digest time.Duration
}

// benchBackends runs the same chat through the full engine into SQLite and into PostgreSQL (a
// scratch schema, dropped afterwards), builds the week's digest from each, and prints both with
// their ratios. Without a reachable PostgreSQL it says why and prints SQLite alone.
func benchBackends(ctx context.Context, w io.Writer) error {
	const n, groups, youths, cadres = 20_000, 100, 5_000, 20
	evs := synthChat(n, groups, youths, cadres)
	fmt.Fprintf(w, "后端对比：%d 条群消息经完整引擎写入，再生成一次周报\n", n)
	dir, err := os.MkdirTemp("", "youthlink-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	lite, err := benchBackend(ctx, filepath.Join(dir, "backend.db"), evs, cadres)
	if err != nil {
		return fmt.Errorf("SQLite：%w", err)
	}
	printBackend(w, "SQLite", n, lite)
	dsn, why := benchPGDSN()
	if dsn == "" {
		fmt.Fprintf(w, "  PostgreSQL：已跳过——%s\n", why)
		return nil
	}
	cleanup, target, why := scratchSchema(ctx, dsn)
	if why != "" {
		fmt.Fprintf(w, "  PostgreSQL：已跳过——%s\n", why)
		return nil
	}
	defer cleanup()
	pg, err := benchBackend(ctx, target, evs, cadres)
	if err != nil {
		return fmt.Errorf("PostgreSQL：%w", err)
	}
	printBackend(w, "PostgreSQL", n, pg)
	fmt.Fprintf(w, "  比值 PostgreSQL/SQLite：写入速度 %.2f，周报耗时 %.2f\n",
		lite.ingest.Seconds()/pg.ingest.Seconds(), pg.digest.Seconds()/lite.digest.Seconds())
	return nil
}

func printBackend(w io.Writer, name string, n int, r backendRun) {
	fmt.Fprintf(w, "  %-11s 写入 %8.0f 条/秒（%v），周报 %v\n", name+"：", float64(n)/r.ingest.Seconds(),
		r.ingest.Round(time.Millisecond), r.digest.Round(time.Millisecond))
}

// benchPGDSN finds a PostgreSQL DSN in the environment; otherwise it says, in Chinese, why
// PostgreSQL is skipped.
func benchPGDSN() (dsn, why string) {
	env := benchPGEnv()
	for _, k := range env {
		if dsn = strings.TrimSpace(os.Getenv(k)); dsn != "" {
			return dsn, ""
		}
	}
	return "", "环境变量 " + strings.Join(env, " 和 ") + " 都没有设置（设为 PostgreSQL 连接串即可一并测试）"
}

// scratchSchema connects to the server at dsn, which must be a postgres:// URL (openStore takes
// a URL for -db), creates an empty schema there and returns a DSN using it and the function
// that drops it. Otherwise it says, in Chinese, why PostgreSQL is skipped.
func scratchSchema(ctx context.Context, dsn string) (cleanup func(), target, why string) {
	if !strings.Contains(dsn, "://") {
		return nil, "", "建不了临时 schema：请用 postgres:// 形式的连接串"
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, "", "连接串不对：" + err.Error()
	}
	pingCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, "", "连不上 PostgreSQL：" + err.Error()
	}
	target, drop, err := pgschema.Scratch(ctx, db, dsn, "youthlink_bench_")
	if err != nil {
		db.Close()
		return nil, "", "建不了临时 schema：" + err.Error()
	}
	cleanup = func() {
		drop(context.WithoutCancel(ctx))
		db.Close()
	}
	return cleanup, target, ""
}

// benchBackend ingests evs through the full engine into target (a SQLite file or a postgres://
// DSN) and then builds the digest of their week.
func benchBackend(ctx context.Context, target string, evs []bot.Event, cadres int) (backendRun, error) {
	var r backendRun
	a, stop, err := benchApp(ctx, target, cadres, true)
	if err != nil {
		return r, err
	}
	defer stop()
	if r.ingest, err = deliverAll(ctx, a, evs); err != nil {
		return r, err
	}
	t0 := time.Now()
	d, err := digest.Build(ctx, a.db, a.cfg.Policy(), "省团委", period.WeekOf(evs[0].Time), digest.Options{})
	if err != nil {
		return r, err
	}
	r.digest = time.Since(t0)
	if d.Cadres != cadres || d.Reached == 0 {
		return r, fmt.Errorf("digest has %d cadres and %d reached, want %d cadres who reached youths", d.Cadres, d.Reached, cadres)
	}
	return r, nil
}
