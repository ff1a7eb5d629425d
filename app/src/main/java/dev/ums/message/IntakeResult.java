package dev.ums.message;

import java.util.UUID;

/**
 * The answer to an intake request, ready to send.
 *
 * @param status HTTP status (202)
 * @param body the JSON body, stored verbatim with the idempotency key so a replay is identical
 * @param replay whether this answer was replayed from an earlier request with the same key
 * @param id the message id for a single new message (for {@code Location}); null otherwise
 */
public record IntakeResult(int status, String body, boolean replay, UUID id) {}
