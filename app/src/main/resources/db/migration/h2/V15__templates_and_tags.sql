-- Tags and templates: see the PostgreSQL migration. H2 has no GIN index; the embedded default scans.
ALTER TABLE message ADD COLUMN tags VARCHAR(97) ARRAY;

CREATE TABLE message_template (
    client_id   VARCHAR(64)  NOT NULL,
    name        VARCHAR(64)  NOT NULL,
    version     INTEGER      NOT NULL,
    subject     CLOB,
    html        CLOB,
    text        CLOB,
    created_at  TIMESTAMP WITH TIME ZONE  NOT NULL,
    retired_at  TIMESTAMP WITH TIME ZONE,
    PRIMARY KEY (client_id, name, version)
);
