-- A deltas row's id is never used twice: a process that keeps its own pending increments in
-- memory knows its rows by id, and must see that another process settled them (SQLite would give
-- the id of a deleted last row to the next one without AUTOINCREMENT).
CREATE TABLE rollup_deltas_new (
  id   INTEGER PRIMARY KEY AUTOINCREMENT,
  at   INTEGER NOT NULL,
  data BLOB NOT NULL
);
INSERT INTO rollup_deltas_new (id, at, data) SELECT id, at, data FROM rollup_deltas;
DROP TABLE rollup_deltas;
ALTER TABLE rollup_deltas_new RENAME TO rollup_deltas;
