-- The name an identity first went by stays in identities.name; it joins identity_names only when
-- the identity is renamed (ingest writes the old and the new name then). Lookups by name read
-- both tables, so the first name no longer needs a row of its own: one insert fewer per new youth.
DROP TRIGGER identity_first_name;
