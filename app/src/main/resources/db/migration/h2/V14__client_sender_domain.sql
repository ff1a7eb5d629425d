-- Sender domains an API client may use in From and Reply-To (managed by admins). A client with no
-- rows may send only from the service's default sender. Domains are lower-case ASCII (A-labels).
CREATE TABLE client_sender_domain (
    client_id   VARCHAR(64)  NOT NULL,
    domain      VARCHAR(253) NOT NULL,
    created_at  TIMESTAMP WITH TIME ZONE  NOT NULL,
    PRIMARY KEY (client_id, domain)
);
