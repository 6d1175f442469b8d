-- SQLite's rollup_deltas ids become AUTOINCREMENT (see migrations/009_deltas_ids_never_reused.sql).
-- An identity column on PostgreSQL never hands out an id twice already; nothing to change.
SELECT 1;
