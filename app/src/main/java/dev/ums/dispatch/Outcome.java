package dev.ums.dispatch;

import java.time.Instant;

/** The result of one attempt, waiting to be recorded. */
sealed interface Outcome {

  Outbox claim();

  /**
   * Claimed but never attempted (shutdown, too little lease left, relay breaker open): back to the
   * queue, due now, the attempt given back.
   */
  record Unsent(Outbox claim) implements Outcome {}

  /** Accepted by the relay (possibly with some recipients refused). */
  record Sent(Outbox claim, String reply, byte[] refusedRecipients, Instant at)
      implements Outcome {}

  /**
   * Failed; {@code decision} says whether it goes back to the queue or to the dead letters.
   *
   * @param classification a failure class name, or {@code LEASE_EXPIRED} for a reaped claim
   * @param text the error with personal data removed
   * @param charged false for a relay-wide failure ({@link RelayBreaker}): the attempt is given back
   */
  record Failed(
      Outbox claim,
      String classification,
      Integer replyCode,
      String text,
      RetryPolicy.Decision decision,
      Instant at,
      boolean charged)
      implements Outcome {}
}
