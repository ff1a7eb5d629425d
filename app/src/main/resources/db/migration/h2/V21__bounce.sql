-- Asynchronous bounces and complaints: one row per delivery status notification (RFC 3464) or
-- feedback report (RFC 5965) recipient matched to a sent message, written by the ledger in the
-- transaction of its event. The recipient is a blind-index digest only; the diagnostic has its
-- addresses redacted.
CREATE TABLE bounce (
    id               UUID         PRIMARY KEY,
    message_id       UUID         NOT NULL REFERENCES message (id) ON DELETE CASCADE,
    client_id        VARCHAR(64)  NOT NULL,
    kind             VARCHAR(16)  NOT NULL,
    status_code      VARCHAR(16),
    feedback_type    VARCHAR(32),
    diagnostic       VARCHAR(512),
    recipient_digest VARCHAR(64),
    received_at      TIMESTAMP WITH TIME ZONE NOT NULL
    -- No CHECK on kind here: H2 cannot evaluate one on a row from INSERT ... SELECT ? (the ledger
    -- writes only BounceKind names; PostgreSQL checks them).
);

CREATE INDEX bounce_message ON bounce (message_id);
CREATE INDEX bounce_client_received ON bounce (client_id, received_at);

-- What a message.bounced / message.complained event tells: hard or soft, the enhanced status code,
-- the feedback type.
ALTER TABLE message_event ADD COLUMN bounce_type VARCHAR(16);
ALTER TABLE message_event ADD COLUMN status_code VARCHAR(16);
ALTER TABLE message_event ADD COLUMN feedback_type VARCHAR(32);
