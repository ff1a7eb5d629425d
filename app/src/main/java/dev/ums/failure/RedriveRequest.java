package dev.ums.failure;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Body of {@code POST /api/admin/dead-letters/redrive}: the listing's filters plus optional ids. An
 * empty object re-drives every unresolved dead letter.
 */
record RedriveRequest(
    Instant from,
    Instant to,
    String classification,
    String domain,
    String recipient,
    Boolean includeResolved,
    List<UUID> ids) {}
