-- The suppression list: per client, the blind-index digest of an address (never the address) that
-- must not be mailed, why, and until when (NULL: until removed).
CREATE TABLE suppression (
    id          UUID         PRIMARY KEY,
    client_id   VARCHAR(64)  NOT NULL,
    digest      VARCHAR(64)  NOT NULL,
    reason      VARCHAR(16)  NOT NULL,
    created_at  TIMESTAMPTZ  NOT NULL,
    expires_at  TIMESTAMPTZ,
    CONSTRAINT suppression_client_digest UNIQUE (client_id, digest)
);

CREATE INDEX suppression_client_created ON suppression (client_id, created_at);
