-- The ledger: one row per accepted message, kept after delivery.
CREATE TABLE message (
    id              UUID         PRIMARY KEY,
    client_id       VARCHAR(64)  NOT NULL,
    status          VARCHAR(16)  NOT NULL,
    -- The whole mail (from, recipients, subject, bodies, headers, metadata) as one JSON document.
    -- One blob keeps the insert narrow and gives the encryption work a single field to seal.
    content         BYTEA        NOT NULL,
    recipient_count INTEGER      NOT NULL,
    send_at         TIMESTAMPTZ,
    attempts        INTEGER      NOT NULL DEFAULT 0,
    last_error_class VARCHAR(16),
    last_error_code  INTEGER,
    smtp_reply      VARCHAR(512),
    created_at      TIMESTAMPTZ  NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL,
    sent_at         TIMESTAMPTZ
);

CREATE INDEX message_status_created ON message (status, created_at);

-- The hot queue: a row lives only until its message is final.
CREATE TABLE outbox (
    message_id      UUID         PRIMARY KEY REFERENCES message (id) ON DELETE CASCADE,
    next_attempt_at TIMESTAMPTZ  NOT NULL,
    attempts        INTEGER      NOT NULL DEFAULT 0,
    claimed_by      VARCHAR(128),
    claim_token     UUID,
    lease_until     TIMESTAMPTZ
);

CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE claim_token IS NULL;
CREATE INDEX outbox_lease ON outbox (lease_until) WHERE claim_token IS NOT NULL;

CREATE TABLE idempotency_record (
    client_id       VARCHAR(64)  NOT NULL,
    idem_key        VARCHAR(255) NOT NULL,
    fingerprint     CHAR(64)     NOT NULL,
    response_status INTEGER      NOT NULL,
    response_body   TEXT         NOT NULL,
    created_at      TIMESTAMPTZ  NOT NULL,
    expires_at      TIMESTAMPTZ  NOT NULL,
    PRIMARY KEY (client_id, idem_key)
);

CREATE INDEX idempotency_record_expiry ON idempotency_record (expires_at);
