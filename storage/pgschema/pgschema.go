// Package pgschema points a PostgreSQL connection string at one schema, so that tests and
// benchmarks can each have a database of their own on one server.
package pgschema

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"strings"
)

// WithSearchPath returns dsn (a postgres:// URL or key=value pairs) with its connections set to
// use schema.
func WithSearchPath(dsn, schema string) string {
	if strings.Contains(dsn, "://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("search_path", schema)
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " search_path=" + schema
}

// Scratch creates an empty schema named prefix and a random suffix through db, a connection to
// the server dsn names, and returns dsn set to use it and the function that drops it.
func Scratch(ctx context.Context, db *sql.DB, dsn, prefix string) (target string, drop func(context.Context) error, err error) {
	b := make([]byte, 6)
	rand.Read(b)
	schema := prefix + hex.EncodeToString(b)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		return "", nil, err
	}
	drop = func(ctx context.Context) error {
		_, err := db.ExecContext(ctx, "DROP SCHEMA "+schema+" CASCADE")
		return err
	}
	return WithSearchPath(dsn, schema), drop, nil
}
