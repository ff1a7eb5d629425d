package dev.ums.webhook;

import java.time.Instant;
import java.util.UUID;

/** {@code POST /api/webhooks/{id}/replay}: one event, or every event in [from, to). */
public record ReplayRequest(UUID eventId, Instant from, Instant to) {}
