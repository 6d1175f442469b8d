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
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the "sqlite3" driver
)

//go:embed migrations/*.sql
var migrations embed.FS

// DB is the SQLite store. Its methods are safe for concurrent use; writes go through one
// connection, reads through a small pool.
type DB struct {
	path string
	w    *sql.DB // the one writer
	r    *sql.DB // readers
	// Now is the clock; tests replace it.
	Now func() time.Time

	mu      sync.Mutex
	idents  map[string]*ident // platform\x00user_id → identity
	byID    map[int64]*ident
	groups  map[string]*group    // platform\x00chat_id → group
	owners  map[string]int64     // platform\x00account → cadre owning that bot account
	members map[[2]int64]bool    // (group, identity) memberships known to be stored
	upserts map[string]*sql.Stmt // prepared full-size multi-row rollup upserts, by table

	ins *ingestStmts

	deferEvery time.Duration // DeferRollups: 0 applies each batch's rollups at once
	unsettled  bool          // this process left deltas rows not yet applied
	settledAt  time.Time     // when pending deltas were last applied
	keepStmt   *sql.Stmt     // inserts a deltas row
}

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
	r, err := sql.Open("sqlite3", "file:"+path+"?"+q.Encode())
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open database: %w", err)
	}
	r.SetMaxOpenConns(4)
	db := &DB{path: path, w: w, r: r, Now: time.Now, upserts: map[string]*sql.Stmt{}}
	db.resetCache()
	if err := db.migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		db.Close()
		return nil, fmt.Errorf("protect database file: %w", err)
	}
	if db.upserts, err = prepareUpserts(ctx, w); err != nil {
		db.Close()
		return nil, err
	}
	if db.ins, err = prepareIngest(ctx, w); err != nil {
		db.Close()
		return nil, err
	}
	if db.keepStmt, err = w.PrepareContext(ctx, `INSERT INTO rollup_deltas (at, data) VALUES (?, ?)`); err != nil {
		db.Close()
		return nil, fmt.Errorf("prepare deltas: %w", err)
	}
	if err := db.loadOwners(ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Deltas a stopped or crashed process left are applied before anything reads the rollups.
	if err := db.settleNow(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	var settleErr error
	if db.keepStmt != nil {
		settleErr = db.Settle(context.Background())
	}
	if db.ins != nil {
		db.ins.close()
	}
	for _, st := range db.upserts {
		st.Close()
	}
	if db.keepStmt != nil {
		db.keepStmt.Close()
	}
	return errors.Join(settleErr, db.w.Close(), db.r.Close())
}

// Path is the database file.
func (db *DB) Path() string { return db.path }

func (db *DB) resetCache() {
	db.mu.Lock()
	db.idents = map[string]*ident{}
	db.byID = map[int64]*ident{}
	db.groups = map[string]*group{}
	db.owners = map[string]int64{}
	db.members = map[[2]int64]bool{}
	db.mu.Unlock()
}

// migrate applies the embedded migrations not yet recorded, each in its own transaction.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrations table: %w", err)
	}
	names, err := fs.Glob(migrations, "migrations/*.sql")
	if err != nil {
		return fmt.Errorf("list migrations: %w", err)
	}
	sort.Strings(names)
	for _, name := range names {
		base := filepath.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		var n int
		if err := db.w.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil {
			return fmt.Errorf("read migrations: %w", err)
		}
		if n > 0 {
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

// tx runs f in a write transaction.
func (db *DB) tx(ctx context.Context, f func(*sql.Tx) error) error {
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

// IntegrityCheck runs PRAGMA integrity_check and returns its first line ("ok" when sound).
func (db *DB) IntegrityCheck(ctx context.Context) (string, error) {
	var s string
	err := db.r.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&s)
	return s, err
}

func nullInt(v int64) any {
	if v == 0 {
		return nil
	}
	return v
}
