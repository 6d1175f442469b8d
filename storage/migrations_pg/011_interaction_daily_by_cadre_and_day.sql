-- SQLite's migration 011 drops interaction_daily's index by youth (see 010 for why SQLite's
-- upserts pay for it). PostgreSQL keeps it, as it keeps member_daily's; this file keeps the two
-- lists of migrations in step.
SELECT 1;
