package dev.ums.message;

import dev.ums.ledger.DeliveryMode;
import dev.ums.ledger.MessageStatus;
import java.time.Instant;
import java.util.UUID;

/**
 * What {@code GET /api/messages/{id}} shows: state and timing, no recipients or content.
 *
 * @param nextAttemptAt when the dispatcher will next try; absent once the message is final
 * @param lastError the classification and SMTP reply code of the last failed attempt, if any
 * @param tags the message's tags (empty when it has none)
 * @param mode {@code test} when a test-mode key sent it: it never reaches a relay, and once {@code
 *     SENT} its content can be read at {@code GET /api/messages/{id}/captured}
 */
public record MessageView(
    UUID id,
    MessageStatus status,
    int attempts,
    Instant createdAt,
    Instant updatedAt,
    Instant sendAt,
    Instant sentAt,
    Instant nextAttemptAt,
    LastError lastError,
    java.util.Map<String, String> tags,
    DeliveryMode mode) {

  /** The last failed attempt, without any message text that might carry personal data. */
  public record LastError(String classification, Integer code) {}
}
