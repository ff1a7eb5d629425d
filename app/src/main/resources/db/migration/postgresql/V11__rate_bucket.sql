-- Token buckets shared by all instances (ums.ratelimit.store=postgresql).
CREATE TABLE rate_bucket (
    client_id   VARCHAR(64)      NOT NULL,
    kind        VARCHAR(16)      NOT NULL,
    tokens      DOUBLE PRECISION NOT NULL,
    updated_at  TIMESTAMPTZ      NOT NULL,
    PRIMARY KEY (client_id, kind)
);
