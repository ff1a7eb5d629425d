-- API keys were named by their first 12 characters, which are part of the secret. From here on a
-- key is named by a label derived from its random id ('key_' + the id's first 8 hex digits), and
-- its hash is HMAC-SHA256 with a server-side pepper. Rows from before hold the plain SHA-256 of
-- their key: legacy_hash marks them until the application re-hashes each on its first use.
ALTER TABLE api_key ADD COLUMN legacy_hash BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE api_key SET legacy_hash = TRUE;

-- Audit rows named their actor client_id/prefix: rename them to the new label.
UPDATE audit_event SET actor = (
    SELECT MIN(k.client_id || '/key_' || SUBSTRING(CAST(k.id AS VARCHAR(36)), 1, 8))
    FROM api_key k WHERE audit_event.actor = k.client_id || '/' || k.prefix)
WHERE actor IN (SELECT client_id || '/' || prefix FROM api_key);

UPDATE api_key SET prefix = 'key_' || SUBSTRING(CAST(id AS VARCHAR(36)), 1, 8);
ALTER TABLE api_key RENAME COLUMN prefix TO label;
