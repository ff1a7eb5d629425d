-- Tags: a message's name:value pairs ("kind:receipt"), in the clear so dead letters and messages
-- can be filtered by them. The API refuses anything but short ASCII names and values; they must not
-- carry personal data (the README says so). NULL when a message has none.
ALTER TABLE message ADD COLUMN tags TEXT[];

CREATE INDEX message_tags ON message USING gin (tags);

-- Templates: each client's named, numbered, immutable versions. The wording is the client's product
-- copy, stored in the clear; what personalises a message (the variables) is only ever inside the
-- sealed message content. A retired version stays for reference but can no longer be used.
CREATE TABLE message_template (
    client_id   VARCHAR(64)  NOT NULL,
    name        VARCHAR(64)  NOT NULL,
    version     INTEGER      NOT NULL,
    subject     TEXT,
    html        TEXT,
    text        TEXT,
    created_at  TIMESTAMPTZ  NOT NULL,
    retired_at  TIMESTAMPTZ,
    PRIMARY KEY (client_id, name, version)
);
