-- interaction_daily loses its index by youth, for the reason member_daily lost its own in 010:
-- SQLite's upsert of a new row pays for each secondary index far more than a plain insert does
-- (20,000 new rows, 64 to a statement: about 90 ms with both indexes, 45-54 ms with the index by
-- day alone), and every interaction-day of a burst is such a row at the next settle. The only
-- reader by youth was the delete on opting out or erasing, which now scans the index by day:
-- 0.04-0.07 s for the 750,000 rows of a province's year.
DROP INDEX interaction_daily_youth;
