-- Dashboard accounts: one or more per committee; each sees its committee's subtree.
-- Passwords are bcrypt hashes. Sessions live in the server's memory.

CREATE TABLE web_users (
  id           INTEGER PRIMARY KEY,
  name         TEXT NOT NULL UNIQUE,
  committee_id INTEGER NOT NULL REFERENCES committees(id),
  hash         TEXT NOT NULL,
  admin        INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL
);
