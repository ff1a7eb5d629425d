package dev.ums.suppression;

import java.time.Instant;

/**
 * {@code POST /api/suppressions} (and the body of {@code DELETE /api/suppressions}).
 *
 * @param address the address to suppress; only its blind-index digest is stored
 * @param reason why; MANUAL when not given
 * @param expiresAt when it stops applying (in the future); null: until removed
 */
public record SuppressionRequest(String address, SuppressionReason reason, Instant expiresAt) {}
