-- Blind index: HMAC-SHA256 digests (hex, 128 bits) of each recipient address and domain, so admins
-- can find messages by recipient without decrypting content. NULL for rows written before this
-- migration until `java -jar ums.jar crypto reencrypt --reindex` fills them, and after retention
-- drops the content.
ALTER TABLE message ADD COLUMN recipient_digests TEXT[];

CREATE INDEX message_recipient_digests ON message USING gin (recipient_digests);
