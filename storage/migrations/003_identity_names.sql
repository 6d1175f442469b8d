-- The first name of every identity goes into its name history as the identity is created, in
-- SQLite itself: one statement fewer per new youth on the ingest path.
CREATE TRIGGER identity_first_name AFTER INSERT ON identities WHEN NEW.name <> '' BEGIN
  INSERT OR IGNORE INTO identity_names (identity_id, name, first_at) VALUES (NEW.id, NEW.name, NEW.first_at);
END;
