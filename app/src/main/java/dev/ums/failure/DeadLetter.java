package dev.ums.failure;

import dev.ums.ledger.MessageStatus;
import dev.ums.message.MessageView;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A dead letter as the admin API shows it: state and failure history, never recipients, subject or
 * body.
 *
 * @param resolution set when a person marked it handled without resending
 * @param failures every failed attempt, oldest first, kept across re-drives
 * @param tags the message's tags
 */
public record DeadLetter(
    UUID id,
    MessageStatus status,
    int attempts,
    Instant createdAt,
    Instant updatedAt,
    MessageView.LastError lastError,
    Resolution resolution,
    List<Failure> failures,
    java.util.Map<String, String> tags) {

  /** Who handled it, why, and when. */
  public record Resolution(String by, String reason, Instant at) {}

  /** One failed attempt ({@code send_failure} row); the error text carries no personal data. */
  public record Failure(
      int attempt,
      String classification,
      Integer code,
      String errorText,
      Instant occurredAt,
      String resolvedBy,
      Instant resolvedAt) {}

  DeadLetter withFailures(List<Failure> f) {
    return new DeadLetter(
        id, status, attempts, createdAt, updatedAt, lastError, resolution, f, tags);
  }
}
