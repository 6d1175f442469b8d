-- The first name of every identity goes into its name history as the identity is created, in
-- the database itself: one statement fewer per new youth on the ingest path.
CREATE FUNCTION identity_first_name() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.name <> '' THEN
    INSERT INTO identity_names (identity_id, name, first_at) VALUES (NEW.id, NEW.name, NEW.first_at) ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END
$$;
CREATE TRIGGER identity_first_name AFTER INSERT ON identities FOR EACH ROW EXECUTE FUNCTION identity_first_name();
