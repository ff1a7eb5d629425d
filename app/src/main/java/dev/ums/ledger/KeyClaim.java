package dev.ums.ledger;

import java.time.Instant;

/** An idempotency key to take together with a message, and the answer it will replay. */
public record KeyClaim(
    String key, String fingerprint, int status, String body, Instant expiresAt) {}
