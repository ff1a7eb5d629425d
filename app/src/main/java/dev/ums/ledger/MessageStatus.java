package dev.ums.ledger;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where a message is in its life. Stored as text; only {@link Ledger} writes it, and only along the
 * transitions below ({@link #canMoveTo}). Every transition is one conditional statement whose row
 * count decides whether it happened.
 *
 * <pre>
 * QUEUED ─claim─▶ SENDING ─2xx─▶ SENT ─hard bounce (DSN)─▶ BOUNCED
 *   ▲ │             ├─transient, attempts left─▶ QUEUED (backoff)
 *   │ │cancel       ├─unsent (stop, lease short, relay breaker)─▶ QUEUED (attempt given back)
 *   │ ▼             ├─permanent / spent────────▶ FAILED (dead letter)
 *  CANCELLED        ├─every recipient suppressed─▶ SUPPRESSED (not sent)
 *                   └─lease expired (crash)────▶ QUEUED (attempt counted) or FAILED
 *                            admin re-drive: FAILED ─▶ QUEUED
 * </pre>
 *
 * A new message starts QUEUED, or SUPPRESSED (never queued) when intake finds every recipient on
 * the client's suppression list ({@link #initial}).
 *
 * <p>Resolving a dead letter and dropping a sent message's content (retention) change other
 * columns, not the status.
 */
public enum MessageStatus {
  /** Waiting in the outbox for its next attempt (possibly scheduled in the future). */
  QUEUED,
  /** Claimed by a dispatcher holding a lease; an SMTP attempt is in flight. */
  SENDING,
  /** Accepted by the SMTP relay. Final, unless a recipient's server reports a hard bounce later. */
  SENT,
  /** Dead letter: a permanent error or the retry budget spent. Final until re-driven. */
  FAILED,
  /** Withdrawn before it was sent. Final. */
  CANCELLED,
  /** Not sent: every recipient is on the client's suppression list. Final. */
  SUPPRESSED,
  /**
   * Accepted by the relay, then reported back as permanently undeliverable (a hard bounce: a
   * delivery status notification that arrived after SENT). Final.
   */
  BOUNCED;

  /** The statuses a message may be created in. */
  public static Set<MessageStatus> initial() {
    return EnumSet.of(QUEUED, SUPPRESSED);
  }

  /** The statuses a message in this status may move to. */
  public Set<MessageStatus> next() {
    return switch (this) {
      case QUEUED -> EnumSet.of(SENDING, CANCELLED);
      case SENDING -> EnumSet.of(SENT, QUEUED, FAILED, SUPPRESSED);
      case FAILED -> EnumSet.of(QUEUED);
      case SENT -> EnumSet.of(BOUNCED);
      case CANCELLED, SUPPRESSED, BOUNCED -> EnumSet.noneOf(MessageStatus.class);
    };
  }

  /** Whether a message in this status may move to {@code to}. */
  public boolean canMoveTo(MessageStatus to) {
    return next().contains(to);
  }

  /**
   * {@code to}'s name for a statement that moves a message from this status to {@code to}.
   *
   * @throws IllegalStateException when the move is not allowed
   */
  String moveTo(MessageStatus to) {
    if (!canMoveTo(to)) {
      throw new IllegalStateException("a message cannot move from " + this + " to " + to);
    }
    return to.name();
  }
}
