-- Blind index: see the PostgreSQL migration. H2 has no GIN index; the embedded default scans.
ALTER TABLE message ADD COLUMN recipient_digests VARCHAR(32) ARRAY;
