-- Test mode: a key created with mode 'test' runs the whole pipeline but never reaches the relay.
-- The key's mode is copied onto each message it sends at intake (the dispatcher reads it from the
-- claimed row) and onto that message's events, so receivers and listings can tell test mail apart.
ALTER TABLE api_key ADD COLUMN mode VARCHAR(8) NOT NULL DEFAULT 'live';
ALTER TABLE api_key ADD CONSTRAINT api_key_mode CHECK (mode IN ('live', 'test'));
ALTER TABLE message ADD COLUMN test_mode BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE message_event ADD COLUMN test_mode BOOLEAN NOT NULL DEFAULT FALSE;
