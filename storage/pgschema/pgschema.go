// Package pgschema points a PostgreSQL connection string at one schema, so that tests and
// benchmarks can each have a database of their own on one server.
package pgschema

import (
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
