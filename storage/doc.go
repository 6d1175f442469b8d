// Package storage keeps YouthLink's records in SQLite (mattn/go-sqlite3): WAL, a busy timeout,
// foreign keys, one writer connection and a pool of readers, embedded numbered migrations.
//
// Ingest goes through IngestBatch, which the engine's single writer calls with a batch of events:
// one transaction stores the messages, the interactions the counting rules find in them and the
// rollups (per day, group, cadre and youth), so a message counts as accepted only once all of it
// is committed, and records never need to scan raw messages.
package storage
