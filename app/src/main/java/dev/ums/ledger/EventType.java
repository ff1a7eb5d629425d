package dev.ums.ledger;

/**
 * What a delivery event tells a sender. The {@link Ledger} writes one in the same transaction as
 * the status change that causes it, so an event exists exactly when its change was committed.
 */
public enum EventType {
  /** Accepted and waiting in the outbox (also scheduled messages). */
  QUEUED("message.queued"),
  /** The relay accepted the message. */
  SENT("message.sent"),
  /** An attempt failed and another is scheduled ({@code nextAttemptAt}). */
  DEFERRED("message.deferred"),
  /** A dead letter: a permanent error or the retry budget spent. */
  FAILED("message.failed"),
  /** Withdrawn before it was sent. */
  CANCELLED("message.cancelled"),
  /** A dead letter put back in the queue by an admin. */
  REDRIVEN("message.redriven"),
  /**
   * Not sent (or not to every recipient) because recipients are on the client's suppression list.
   */
  SUPPRESSED("message.suppressed"),
  /** A recipient's server refused the message after the relay accepted it (a bounce). */
  BOUNCED("message.bounced"),
  /** A recipient reported the message as unwanted (a feedback report). */
  COMPLAINED("message.complained");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  /** The name senders see ({@code message.sent}); stored as such. */
  public String wireName() {
    return wireName;
  }

  /** The type named {@code wireName}, or null. */
  public static EventType ofWireName(String wireName) {
    for (EventType t : values()) {
      if (t.wireName.equals(wireName)) {
        return t;
      }
    }
    return null;
  }
}
