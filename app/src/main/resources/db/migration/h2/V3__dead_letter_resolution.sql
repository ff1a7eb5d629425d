-- A dead letter handled by a person without resending: who, when and why. Cleared on re-drive.
ALTER TABLE message ADD COLUMN resolved_by VARCHAR(200);
ALTER TABLE message ADD COLUMN resolved_at TIMESTAMP WITH TIME ZONE;
ALTER TABLE message ADD COLUMN resolution  VARCHAR(200);
-- Set when the retention job dropped the content of a SENT message (content is then '{}').
ALTER TABLE message ADD COLUMN content_dropped_at TIMESTAMP WITH TIME ZONE;

-- The resolver's name may be as long as on the message.
ALTER TABLE send_failure ALTER COLUMN resolved_by SET DATA TYPE VARCHAR(200);

-- H2 has no partial indexes: status leads instead.
CREATE INDEX message_status_updated ON message (status, updated_at, id);
CREATE INDEX message_status_sent_at ON message (status, sent_at);
CREATE INDEX send_failure_occurred ON send_failure (occurred_at);
