package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// The dialect layer: what differs between SQLite and PostgreSQL, in one place.
//
// SQL in this package is written once, with ? placeholders, and runs unchanged on both: the
// PostgreSQL connections rebind ? to $1..$n (pgConn) and pass Go bools as 0/1 (the schema keeps
// flags as integers on both). What cannot be written once goes through the helpers here:
//   - new row ids: INSERT ... RETURNING id read with returnedID (the pgx driver has no
//     LastInsertId; SQLite has RETURNING since 3.35; ingest's hot inserts use db.inserted);
//   - two-argument MIN/MAX: written LEAST/GREATEST, turned into MIN/MAX on SQLite by expand;
//   - ON CONFLICT ... DO UPDATE SET: name the conflict columns and qualify the old row's columns
//     with the table name (n = t.n + excluded.n): PostgreSQL refuses both omissions;
//   - transactions that lose a deadlock or serialization race are retried (db.tx);
//   - SQLite-only PRAGMAs run only on SQLite.

// dialect says which database a DB speaks to.
type dialect struct {
	postgres bool
}

// name is the backend's name as config.yaml spells it.
func (d dialect) name() string {
	if d.postgres {
		return "postgres"
	}
	return "sqlite"
}

// daySQL is the expression for the day (YYYY-MM-DD, China time, as period.Day names it) of a
// column holding Unix seconds.
func (d dialect) daySQL(col string) string {
	if d.postgres {
		return `to_char(to_timestamp(` + col + `) AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`
	}
	return `strftime('%Y-%m-%d', ` + col + `, 'unixepoch', '+8 hours')`
}

// expand turns the LEAST( and GREATEST( of SQL written with them into SQLite's scalar MIN( and
// MAX(, so that a statement kept as a string (the rollup upserts) is written once.
func (d dialect) expand(q string) string {
	if d.postgres {
		return q
	}
	return strings.NewReplacer("LEAST(", "MIN(", "GREATEST(", "MAX(").Replace(q)
}

// rebind turns ? placeholders into $1..$n, leaving string literals, quoted identifiers, dollar
// quoted bodies and comments alone.
func rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '\'' || c == '"':
			j := i + 1
			for j < len(q) && q[j] != c {
				j++
			}
			b.WriteString(q[i:min(j+1, len(q))])
			i = j
		case c == '-' && i+1 < len(q) && q[i+1] == '-':
			j := strings.IndexByte(q[i:], '\n')
			if j < 0 {
				j = len(q) - i
			}
			b.WriteString(q[i : i+j])
			i += j - 1
		case c == '$' && i+1 < len(q) && q[i+1] == '$':
			j := strings.Index(q[i+2:], "$$")
			if j < 0 {
				b.WriteString(q[i:])
				return b.String()
			}
			b.WriteString(q[i : i+2+j+2])
			i += 2 + j + 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(fmt.Sprint(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// returnedID reads the id of an INSERT ... RETURNING id. inserted is false (and the error nil)
// when the statement inserted nothing: ON CONFLICT DO NOTHING met an existing row.
func returnedID(row *sql.Row) (id int64, inserted bool, err error) {
	if err := row.Scan(&id); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return 0, false, nil
		}
		return 0, false, err
	}
	return id, true, nil
}

// retryable reports whether a transaction failed only because it lost a race with another
// writer (PostgreSQL serialization failure or deadlock) and may simply run again.
func retryable(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// retryPause is how long to wait before running a lost transaction again: a little longer each
// time, with jitter so that two processes do not collide again in step.
func retryPause(attempt int) time.Duration {
	base := time.Duration(5<<attempt) * time.Millisecond
	return base + time.Duration(rand.Int64N(int64(base)))
}

// openPostgres opens a pool on the PostgreSQL server dsn names (a URL or key=value pairs).
func openPostgres(dsn string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("parse postgres dsn: %w", err)
	}
	return sql.OpenDB(pgConnector{stdlib.GetConnector(*cfg)}), nil
}

// pgConnector hands out pgConns.
type pgConnector struct{ c driver.Connector }

func (p pgConnector) Connect(ctx context.Context) (driver.Conn, error) {
	c, err := p.c.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := c.(*stdlib.Conn)
	if !ok {
		c.Close()
		return nil, fmt.Errorf("postgres: unexpected connection type %T", c)
	}
	return &pgConn{sc}, nil
}

func (p pgConnector) Driver() driver.Driver { return p.c.Driver() }

// pgConn is a pgx connection that takes this package's SQL as written for SQLite: ? placeholders
// and bools for integer flags.
type pgConn struct{ *stdlib.Conn }

func (c *pgConn) Prepare(q string) (driver.Stmt, error) { return c.Conn.Prepare(rebind(q)) }

func (c *pgConn) PrepareContext(ctx context.Context, q string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, rebind(q))
}

func (c *pgConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	return c.Conn.ExecContext(ctx, rebind(q), args)
}

func (c *pgConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	return c.Conn.QueryContext(ctx, rebind(q), args)
}

// CheckNamedValue passes bools as 0 and 1: flags are integer columns on both backends.
func (c *pgConn) CheckNamedValue(v *driver.NamedValue) error {
	if b, ok := v.Value.(bool); ok {
		v.Value = int64(0)
		if b {
			v.Value = int64(1)
		}
	}
	return c.Conn.CheckNamedValue(v)
}
