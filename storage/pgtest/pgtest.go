// Package pgtest gives tests a fresh PostgreSQL schema on the server YOUTHLINK_TEST_PG_DSN names.
// Without that variable, or when the server does not answer, the test is skipped with the reason;
// under CI=true it fails instead, so that CI never passes without the PostgreSQL suite.
package pgtest

import (
	"context"
	"database/sql"
	"os"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"youthlink/storage/pgschema"
)

// EnvDSN is the environment variable naming the test server.
const EnvDSN = "YOUTHLINK_TEST_PG_DSN"

var (
	once    sync.Once
	admin   *sql.DB
	problem string
)

// connect opens the shared administration pool once, or records why it can't.
func connect() {
	dsn := os.Getenv(EnvDSN)
	if dsn == "" {
		problem = EnvDSN + " is not set"
		return
	}
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		problem = "bad " + EnvDSN + ": " + err.Error()
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		problem = "PostgreSQL at " + EnvDSN + " is unreachable: " + err.Error()
		return
	}
	admin = db
}

// available reports whether the test server answers, and if not why.
func available() (bool, string) {
	once.Do(connect)
	return admin != nil, problem
}

// Require skips t (fails it under CI=true) when the test server is not available.
func Require(t testing.TB) {
	t.Helper()
	if ok, why := available(); !ok {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL suite cannot run under CI: %s", why)
		}
		t.Skipf("skipping the PostgreSQL suite: %s (set %s to a test database to run it)", why, EnvDSN)
	}
}

// DSN creates an empty schema for t, dropped when t ends, and returns a DSN whose connections
// use it: each test gets a database of its own on the one server.
func DSN(t testing.TB) string {
	t.Helper()
	Require(t)
	dsn, drop, err := pgschema.Scratch(context.Background(), admin, os.Getenv(EnvDSN), "yl_test_")
	if err != nil {
		t.Fatalf("create test schema: %v", err)
	}
	t.Cleanup(func() {
		if err := drop(context.Background()); err != nil {
			t.Errorf("drop test schema: %v", err)
		}
	})
	return dsn
}
