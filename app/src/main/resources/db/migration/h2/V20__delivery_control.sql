-- Delivery control: priority, the delivery rule matched at intake (a rule name, never the
-- recipient domain) and the client, on the hot queue where the claim reads them.
ALTER TABLE message ADD COLUMN priority SMALLINT DEFAULT 1 NOT NULL;
ALTER TABLE message ADD COLUMN delivery_rule VARCHAR(64) DEFAULT 'default' NOT NULL;

ALTER TABLE outbox ADD COLUMN priority SMALLINT DEFAULT 1 NOT NULL;
ALTER TABLE outbox ADD COLUMN delivery_rule VARCHAR(64) DEFAULT 'default' NOT NULL;
ALTER TABLE outbox ADD COLUMN client_id VARCHAR(64);
UPDATE outbox o SET client_id = (SELECT m.client_id FROM message m WHERE m.id = o.message_id);

DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (priority, next_attempt_at);
-- Fair share claims one client's rows at a time.
CREATE INDEX outbox_client_due ON outbox (client_id, priority, next_attempt_at);
CREATE INDEX outbox_rule_due ON outbox (delivery_rule, priority, next_attempt_at);
