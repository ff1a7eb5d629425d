-- The client's metadata of a message (string to string, as canonical JSON), stored in the clear
-- beside its tags so that every delivery event can carry it: by contract it holds the client's
-- references, never personal data. NULL when the message has none.
ALTER TABLE message ADD COLUMN metadata TEXT;

-- Retention deletes expired suppression entries; this finds them without reading the others.
CREATE INDEX suppression_expires ON suppression (expires_at) WHERE expires_at IS NOT NULL;
