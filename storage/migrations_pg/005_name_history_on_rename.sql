-- The name an identity first went by stays in identities.name; it joins identity_names only when
-- the identity is renamed (see migrations/005_name_history_on_rename.sql).
DROP TRIGGER identity_first_name ON identities;
DROP FUNCTION identity_first_name();
