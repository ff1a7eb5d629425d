-- The client's metadata of a message: see the PostgreSQL migration.
ALTER TABLE message ADD COLUMN metadata CHARACTER VARYING;

-- Retention deletes expired suppression entries (H2 has no partial index).
CREATE INDEX suppression_expires ON suppression (expires_at);
