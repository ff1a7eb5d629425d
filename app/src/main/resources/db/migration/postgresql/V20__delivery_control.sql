-- Delivery control: priority, the delivery rule matched at intake (a rule name, never the
-- recipient domain) and the client, on the hot queue where the claim reads them.
ALTER TABLE message ADD COLUMN priority SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE message ADD COLUMN delivery_rule VARCHAR(64) NOT NULL DEFAULT 'default';

ALTER TABLE outbox ADD COLUMN priority SMALLINT NOT NULL DEFAULT 1;
ALTER TABLE outbox ADD COLUMN delivery_rule VARCHAR(64) NOT NULL DEFAULT 'default';
ALTER TABLE outbox ADD COLUMN client_id VARCHAR(64);
UPDATE outbox o SET client_id = m.client_id FROM message m WHERE m.id = o.message_id;

-- The claim reads due rows in (priority, next_attempt_at) order; a rule's own claim by rule first.
DROP INDEX outbox_due;
CREATE INDEX outbox_due ON outbox (priority, next_attempt_at) WHERE claim_token IS NULL;
-- Fair share claims one client's rows at a time.
CREATE INDEX outbox_client_due ON outbox (client_id, priority, next_attempt_at)
    WHERE claim_token IS NULL;
CREATE INDEX outbox_rule_due ON outbox (delivery_rule, priority, next_attempt_at)
    WHERE claim_token IS NULL;

-- Send budgets shared by every instance: the global rate and each rule's rate. The rule's current
-- (adapted) rate lives here too, so a slow-down seen by one instance holds for all.
CREATE TABLE delivery_budget (
    name        VARCHAR(80)      PRIMARY KEY,
    tokens      DOUBLE PRECISION NOT NULL,
    granted     INTEGER          NOT NULL,
    updated_at  TIMESTAMPTZ      NOT NULL,
    cut_rate    DOUBLE PRECISION,
    cut_at      TIMESTAMPTZ
);
