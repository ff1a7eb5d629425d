package dev.ums.webhook;

import java.time.Instant;
import java.util.UUID;

/**
 * One line of an endpoint's delivery log.
 *
 * @param status PENDING (waiting or being retried), DELIVERED (2xx), FAILED (retries spent)
 * @param lastStatus the HTTP status of the last attempt; null if no answer
 * @param lastError why the last attempt failed, without the receiver's body
 * @param replay whether it was queued by a replay request
 */
public record WebhookDelivery(
    long id,
    UUID eventId,
    UUID messageId,
    String type,
    String status,
    int attempts,
    Integer lastStatus,
    String lastError,
    boolean replay,
    Instant createdAt,
    Instant lastAttemptAt,
    Instant deliveredAt) {}
