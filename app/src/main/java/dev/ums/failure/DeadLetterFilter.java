package dev.ums.failure;

import dev.ums.ledger.FailureClass;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Which dead letters a listing or a bulk re-drive is about. Every field is optional; absent (null
 * or empty) fields do not filter.
 *
 * @param from only those that became FAILED at or after this instant ({@code updated_at})
 * @param to only those that became FAILED before this instant
 * @param classification the last attempt's failure class ({@code last_error_class})
 * @param recipientDigests blind-index digests (of a recipient address and/or domain) that a message
 *     must all carry; see {@link dev.ums.security.RecipientIndex}
 * @param includeResolved whether dead letters a person marked resolved are included
 * @param ids only these messages
 * @param tags {@code name:value} tags that a message must all carry
 */
public record DeadLetterFilter(
    Instant from,
    Instant to,
    FailureClass classification,
    List<String> recipientDigests,
    boolean includeResolved,
    List<UUID> ids,
    List<String> tags) {

  DeadLetterFilter(
      Instant from,
      Instant to,
      FailureClass classification,
      List<String> recipientDigests,
      boolean includeResolved,
      List<UUID> ids) {
    this(from, to, classification, recipientDigests, includeResolved, ids, null);
  }

  DeadLetterFilter withIds(List<UUID> chunk) {
    return new DeadLetterFilter(
        from, to, classification, recipientDigests, includeResolved, chunk, tags);
  }
}
