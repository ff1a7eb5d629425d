package dev.ums.ledger;

import java.time.Instant;
import java.util.UUID;

/**
 * One recipient's bounce or complaint about a sent message, as the ledger records it ({@link
 * Ledger#recordBounce}). Ids and codes only: the recipient is a blind-index digest, the diagnostic
 * has had its addresses redacted.
 *
 * @param statusCode the RFC 3463 enhanced status code ({@code 5.1.1}), if the report gave one
 * @param feedbackType a complaint's RFC 5965 feedback type ({@code abuse}), if any
 * @param diagnostic the remote server's diagnostic text, addresses redacted, at most 512 characters
 * @param recipientDigest the blind-index digest of the recipient, or null when the report did not
 *     say which of the message's recipients it is about
 * @param suppresses whether the recipient goes on the client's suppression list with it (stored
 *     with the row; the caller adds the entry in the same transaction)
 */
public record Bounce(
    UUID messageId,
    BounceKind kind,
    String statusCode,
    String feedbackType,
    String diagnostic,
    String recipientDigest,
    boolean suppresses,
    Instant receivedAt) {}
