package dev.ums.bounce;

import dev.ums.ledger.RecordedBounce;
import java.time.Instant;
import java.util.UUID;

/**
 * A bounce or complaint as the API shows it: ids, codes and times, never the recipient's address
 * nor its blind-index digest.
 *
 * @param type {@code hard}, {@code soft} or {@code complaint}
 * @param statusCode the enhanced status code the report gave ({@code 5.1.1}), or null
 * @param feedbackType a complaint's feedback type ({@code abuse}), or null
 * @param diagnostic the remote server's diagnostic, addresses redacted, as stored
 * @param receivedAt when the report arrived and was recorded
 * @param suppressed whether it put the recipient on the client's suppression list
 */
record BounceView(
    UUID id,
    UUID messageId,
    String clientId,
    String type,
    String statusCode,
    String feedbackType,
    String diagnostic,
    Instant receivedAt,
    boolean suppressed) {

  static BounceView of(RecordedBounce b) {
    return new BounceView(
        b.id(),
        b.messageId(),
        b.clientId(),
        b.kind().wireName(),
        b.statusCode(),
        b.feedbackType(),
        b.diagnostic(),
        b.receivedAt(),
        b.suppressed());
  }
}
