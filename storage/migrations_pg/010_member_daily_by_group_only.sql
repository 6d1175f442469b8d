-- SQLite's migration 010 drops member_daily's index by identity, whose upkeep tripled the cost of
-- its rollup upserts there. PostgreSQL keeps the index: its rollups are applied with each batch,
-- its upserts pay far less for it (20,000 new rows, 64 to a statement: 319-405 ms with the index,
-- 256-335 ms without, on a local PostgreSQL 15), and the delete of a youth's rows on opting out
-- or erasing stays a lookup. This file keeps the two lists of migrations in step.
SELECT 1;
