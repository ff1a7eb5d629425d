package dev.ums.ledger;

import java.time.Instant;
import java.util.UUID;

/**
 * Which bounces a listing is about ({@link Ledger#bounces}). Absent (null) fields do not filter.
 *
 * @param clientId only this client's; null for every client (admin listings)
 * @param since received at or after this instant
 * @param until received before this instant
 * @param kind only bounces of this kind
 * @param messageId only bounces about this message
 */
public record BounceQuery(
    String clientId, Instant since, Instant until, BounceKind kind, UUID messageId) {}
