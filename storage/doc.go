// Package storage keeps YouthLink's records in SQLite (mattn/go-sqlite3: WAL, a busy timeout,
// foreign keys, one writer connection and a pool of readers), or in PostgreSQL (pgx), which
// several processes may share; embedded numbered migrations for each (migrations/ and
// migrations_pg/), differences between the two in dialect.go.
//
// Ingest goes through IngestBatch, which the engine's single writer calls with a batch of events:
// one transaction stores the messages, the interactions the counting rules find in them and their
// rollup increments (per day, group, cadre and youth), so a message counts as accepted only once
// all of it is committed, and records never need to scan raw messages. The increments are applied
// to the rollup tables in the same transaction, or, under a burst on SQLite (DeferRollups),
// committed as one rollup_deltas row that a settle applies a moment later (see rollup.go). In
// such a burst the WAL is checkpointed at the settles too, not every 1000 pages (walPace). The
// counting itself runs on a goroutine beside the writer, a step behind the message rows (tally),
// so that a second core counts while SQLite writes.
package storage
