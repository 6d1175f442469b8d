package storage

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

//go:embed migrations/*.sql migrations_pg/*.sql
var migrations embed.FS

// DB is the store: SQLite (embedded, the default) or PostgreSQL (shared by several processes).
// Its methods are safe for concurrent use. On SQLite writes go through one connection and reads
// through a small pool; on PostgreSQL both use one pool.
type DB struct {
	path    string
	dialect dialect
	w       *sql.DB // the writer (SQLite: the one writer connection)
	r       *sql.DB // readers (PostgreSQL: the same pool as w)
	// Now is the clock; tests replace it.
	Now func() time.Time

	mu      sync.Mutex
	idents  map[chatKey]*ident // (platform, user id) → identity
	byID    map[int64]*ident
	groups  map[chatKey]*group   // (platform, chat id) → group
	owners  map[string]int64     // platform\x00account → cadre owning that bot account
	members map[[2]int64]bool    // (group, identity) memberships known to be stored
	served  map[[2]string]bool   // (platform, account) this process has received messages on
	handled []int64              // events handled whose journal rows the next transaction removes
	upserts map[string]*sql.Stmt // prepared full-size multi-row rollup upserts, by table

	ins *ingestStmts

	deferEvery  time.Duration // DeferRollups: 0 applies each batch's rollups at once
	settledAt   time.Time     // when pending deltas were last applied
	keepStmt    *sql.Stmt     // inserts a deltas row
	pend        *pending      // this process's own pending rows, nil when not known
	settledLast int64         // the newest deltas row a recorded settle covered
	keptLast    int64         // the newest deltas row this process kept

	// WAL checkpoints in a burst (walPace, afterSettle)
	checkpointMu sync.Mutex     // held by the checkpoint under way
	checkpoints  sync.WaitGroup // the checkpoints under way or waiting for checkpointMu (afterSettle)
	walBurst     atomic.Bool    // the writer's checkpoints wait for the settles
	walBatches   atomic.Int64   // burst batches so far
	walDrained   atomic.Int64   // burst batches the last finished checkpoint covered
}

// readers is how many SQLite reader connections a DB keeps: one per handler the engine runs at
// once (bot.Options.Workers defaults to 4).
const readers = 4

// ErrNotFound is returned when a named committee, cadre, group or code does not exist.
var ErrNotFound = errors.New("not found")

// Open opens (creating if needed) the database file and brings its schema up to date.
func Open(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("open database: no path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	q := url.Values{}
	q.Set("_journal_mode", "WAL")
	q.Set("_busy_timeout", "10000")
	q.Set("_foreign_keys", "on")
	q.Set("_synchronous", "NORMAL")
	q.Set("_txlock", "immediate")
	q.Set("_cache_size", "-65536") // 64 MiB of pages for the writer: ingest touches several indexes per batch
	w, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open database: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	q.Set("_txlock", "deferred")
	q.Del("_journal_mode")
	q.Del("_cache_size")
	// Readers keep their prepared statements: handlers' queries are few and asked again and
	// again (a cadre's quote, a record), and each was parsed and planned afresh every time.
	q.Set("_stmt_cache_size", "64")
	r, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	// Every reader connection stays open once made: database/sql keeps two idle by default, so
	// with four handlers reading at once it closed and reopened connections all the time, each
	// new one running the connection PRAGMAs and reading the schema before its first query.
	r.SetMaxOpenConns(readers)
	r.SetMaxIdleConns(readers)
	db := &DB{path: path, w: w, r: r, Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("protect database file: %w", err)
	}
	return db, db.ready(ctx)
}

// OpenPostgres connects to the PostgreSQL database dsn names (a postgres:// URL or key=value
// pairs, as libpq takes them) and brings its schema up to date. Several processes may share it.
func OpenPostgres(ctx context.Context, dsn string) (*DB, error) {
	if strings.TrimSpace(dsn) == "" {
		return nil, errors.New("open postgres: empty dsn")
	}
	p, err := openPostgres(dsn)
	if err != nil {
		return nil, err
	}
	p.SetMaxOpenConns(8)
	p.SetMaxIdleConns(8)
	p.SetConnMaxIdleTime(5 * time.Minute)
	if err := p.PingContext(ctx); err != nil {
		p.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	db := &DB{path: redactDSN(dsn), dialect: dialect{postgres: true}, w: p, r: p, Now: time.Now}
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, db.ready(ctx)
}

// ready prepares the ingest statements and loads the caches of a migrated database; on failure
// it closes the database.
func (db *DB) ready(ctx context.Context) error {
	db.resetCache()
	var err error
	if db.upserts, err = db.prepareUpserts(ctx, db.w); err != nil {
		db.Close()
		return err
	}
	if db.ins, err = prepareIngest(ctx, db.w, db.dialect); err != nil {
		db.Close()
		return err
	}
	if db.keepStmt, err = db.w.PrepareContext(ctx, `INSERT INTO rollup_deltas (at, data) VALUES (?, ?)`); err != nil {
		db.Close()
		return fmt.Errorf("prepare deltas: %w", err)
	}
	if err := db.loadOwners(ctx); err != nil {
		db.Close()
		return err
	}
	// Deltas a stopped or crashed process left are applied before anything reads the rollups.
	if err := db.settleNow(ctx); err != nil {
		db.Close()
		return err
	}
	return nil
}

// redactDSN is a DSN fit for logs: the password is replaced, also in a URL too malformed to
// parse (a raw non-ASCII password, say).
func redactDSN(dsn string) string {
	if scheme, rest, ok := strings.Cut(dsn, "://"); ok {
		if u, err := url.Parse(dsn); err == nil {
			return u.Redacted()
		}
		host := strings.IndexAny(rest, "/?")
		if host < 0 {
			host = len(rest)
		}
		if at := strings.LastIndex(rest[:host], "@"); at >= 0 {
			if user, _, hasPW := strings.Cut(rest[:at], ":"); hasPW {
				return scheme + "://" + user + ":xxxxx" + rest[at:]
			}
		}
		return dsn
	}
	var out []string
	for _, f := range strings.Fields(dsn) {
		if strings.HasPrefix(f, "password=") {
			f = "password=xxxxx"
		}
		out = append(out, f)
	}
	return strings.Join(out, " ")
}

// Close closes both pools.
func (db *DB) Close() error {
	var settleErr error
	if db.keepStmt != nil {
		settleErr = db.Settle(context.Background())
	}
	db.checkpoints.Wait() // the checkpoints under way finish first
	if db.ins != nil {
		db.ins.close()
	}
	for _, st := range db.upserts {
		st.Close()
	}
	if db.keepStmt != nil {
		db.keepStmt.Close()
	}
	if db.r == db.w {
		return errors.Join(settleErr, db.w.Close())
	}
	return errors.Join(settleErr, db.w.Close(), db.r.Close())
}

// Path is the database file, or on PostgreSQL the DSN with its password hidden.
func (db *DB) Path() string { return db.path }

// Backend is "sqlite" or "postgres".
func (db *DB) Backend() string { return db.dialect.name() }

func (db *DB) resetCache() {
	db.mu.Lock()
	db.idents = map[chatKey]*ident{}
	db.byID = map[int64]*ident{}
	db.groups = map[chatKey]*group{}
	db.owners = map[string]int64{}
	db.members = map[[2]int64]bool{}
	db.served = map[[2]string]bool{}
	db.mu.Unlock()
}

// migrationLock is the PostgreSQL advisory lock key held while migrating, so that processes
// starting together apply each migration once.
const migrationLock = 0x594c4d4947 // "YLMIG"

// migrate applies the embedded migrations not yet recorded, each in its own transaction: those
// of migrations/ on SQLite, of migrations_pg/ (same numbers, same tables and columns) on
// PostgreSQL, under an advisory lock there.
func (db *DB) migrate(ctx context.Context) error {
	dir := "migrations"
	if db.dialect.postgres {
		dir = "migrations_pg"
		conn, err := db.w.Conn(ctx)
		if err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer conn.Close()
		if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, migrationLock); err != nil {
			return fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock(?)`, migrationLock)
	}
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, dir+"/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	applied := map[int]bool{}
	err = eachRow(ctx, db.w, `SELECT version FROM schema_migrations`, nil, func(rows *sql.Rows) error {
		var v int
		if err := rows.Scan(&v); err != nil {
			return err
		}
		applied[v] = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("read migrations: %w", err)
	}
	for _, name := range names {
		base := filepath.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		if applied[v] {
			continue
		}
		body, err := migrations.ReadFile(name)
		if err != nil {
			return fmt.Errorf("read migration %s: %w", base, err)
		}
		err = db.tx(ctx, func(tx *sql.Tx) error {
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return err
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`, v, db.Now().Unix())
			return err
		})
		if err != nil {
			return fmt.Errorf("apply migration %s: %w", base, err)
		}
	}
	return nil
}

// txAttempts is how many times a PostgreSQL transaction that lost a race runs in all.
const txAttempts = 6

// tx runs f in a write transaction. On PostgreSQL a transaction that lost a deadlock or
// serialization race with another writer is run again from the start, so f must begin from a
// clean slate each time it is called.
func (db *DB) tx(ctx context.Context, f func(*sql.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := db.tx1(ctx, f)
		if err == nil || !db.dialect.postgres || !retryable(err) || attempt == txAttempts {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(retryPause(attempt)):
		}
	}
}

func (db *DB) tx1(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := db.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// IntegrityCheck runs PRAGMA integrity_check and returns its first line ("ok" when sound). On
// PostgreSQL, whose server keeps its own files sound, it only checks that the database answers.
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var s string
	if db.dialect.postgres {
		err := db.r.QueryRowContext(ctx, `SELECT 'ok'`).Scan(&s)
		return s, err
	}
	err := db.r.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&s)
	return s, err
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
