-- A dead letter handled by a person without resending: who, when and why. Cleared on re-drive.
ALTER TABLE message ADD COLUMN resolved_by VARCHAR(200);
ALTER TABLE message ADD COLUMN resolved_at TIMESTAMPTZ;
ALTER TABLE message ADD COLUMN resolution  VARCHAR(200);
-- Set when the retention job dropped the content of a SENT message (content is then '{}').
ALTER TABLE message ADD COLUMN content_dropped_at TIMESTAMPTZ;

-- The resolver's name may be as long as on the message.
ALTER TABLE send_failure ALTER COLUMN resolved_by TYPE VARCHAR(200);

-- Dead-letter listing (newest first, keyset on updated_at, id) and "failed in the last hour".
CREATE INDEX message_failed_updated ON message (updated_at, id) WHERE status = 'FAILED';
-- Retention and "sent in the last hour".
CREATE INDEX message_sent_at ON message (sent_at) WHERE status = 'SENT';
-- Failed attempts in the last hour.
CREATE INDEX send_failure_occurred ON send_failure (occurred_at);
