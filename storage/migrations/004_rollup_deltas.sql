-- Rollup increments waiting to be applied. Under a burst each ingest batch writes its rollup
-- increments here as one compact row, committed with its messages; settling merges the pending
-- rows into the rollup tables (interaction_daily … keyword_weekly) and deletes them. Open settles
-- what a crashed process left, so the rollups always equal a recount of the raw rows.
CREATE TABLE rollup_deltas (
  id   INTEGER PRIMARY KEY,
  at   INTEGER NOT NULL,
  data BLOB NOT NULL
);
