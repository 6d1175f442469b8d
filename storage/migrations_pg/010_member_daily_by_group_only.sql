-- member_daily loses its index by identity. Ingest writes a member_daily row for each member
-- who speaks on a day, and on SQLite the settle's upsert of a new row into a table with a second
-- index cost three times as much as into one without (about 100 ms against 35 ms for 20,000
-- rows), the largest part of a settle after a busy day's first messages. The only reader by
-- identity was the delete when a youth leaves the statistics or has their data erased, which now
-- reads the whole table: a rare command, about half a second on a province's year of rows.
DROP INDEX member_daily_identity;
