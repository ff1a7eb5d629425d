package dev.ums.message;

/**
 * Where a message is in its life. Stored as text. Every transition is one conditional UPDATE whose
 * row count decides whether it happened.
 *
 * <pre>
 * QUEUED ─claim─▶ SENDING ─2xx─▶ SENT
 *   ▲ │             ├─transient, attempts left─▶ QUEUED (backoff)
 *   │ │cancel       ├─permanent / spent────────▶ FAILED (dead letter)
 *   │ ▼             └─lease expired (crash)────▶ QUEUED (attempt counted)
 *  CANCELLED                 admin re-drive: FAILED ─▶ QUEUED
 * </pre>
 */
public enum MessageStatus {
  /** Waiting in the outbox for its next attempt (possibly scheduled in the future). */
  QUEUED,
  /** Claimed by a dispatcher holding a lease; an SMTP attempt is in flight. */
  SENDING,
  /** Accepted by the SMTP relay. Final. */
  SENT,
  /** Dead letter: a permanent error or the retry budget spent. Final until re-driven. */
  FAILED,
  /** Withdrawn before it was sent. Final. */
  CANCELLED
}
