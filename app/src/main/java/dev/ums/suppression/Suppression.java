package dev.ums.suppression;

import java.time.Instant;
import java.util.UUID;

/**
 * One entry of a client's suppression list as the API shows it: never the address (only its
 * blind-index digest is stored, and the digest is not shown either).
 *
 * @param id the entry's opaque id ({@code DELETE /api/suppressions/{id}})
 * @param expiresAt when the entry stops applying; null: until it is removed
 */
public record Suppression(
    UUID id, String clientId, SuppressionReason reason, Instant createdAt, Instant expiresAt) {}
