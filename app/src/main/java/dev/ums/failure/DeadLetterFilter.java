package dev.ums.failure;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Which dead letters a listing or a bulk re-drive is about. Every field is optional; absent fields
 * do not filter.
 *
 * @param from only those that became FAILED at or after this instant ({@code updated_at})
 * @param to only those that became FAILED before this instant
 * @param classification the last attempt's failure class ({@code last_error_class})
 * @param domain a recipient domain: matches if any to/cc/bcc address is in it (lower case)
 * @param includeResolved whether dead letters a person marked resolved are included
 * @param ids only these messages
 */
record DeadLetterFilter(
    Instant from,
    Instant to,
    String classification,
    String domain,
    boolean includeResolved,
    List<UUID> ids) {

  DeadLetterFilter withIds(List<UUID> chunk) {
    return new DeadLetterFilter(from, to, classification, domain, includeResolved, chunk);
  }
}
