package dev.ums.ledger;

import java.time.Instant;

/**
 * The result of one attempt, for {@link Ledger#record}. An outcome never holds the message content:
 * its claim is kept {@linkplain Claim#withoutContent() without it}, so results waiting to be
 * written cost a few bytes each however large the messages were.
 */
public sealed interface Outcome {

  Claim claim();

  /**
   * Claimed but never attempted (shutdown, too little lease left, relay breaker open, its rule's
   * connection cap full on a Kafka sender): back to the queue, due at {@code dueAt} (null: now),
   * the attempt given back. Not a failure: no failure row, no event.
   */
  record Unsent(Claim claim, Instant dueAt) implements Outcome {

    public Unsent {
      claim = claim.withoutContent();
    }

    /** Back to the queue, due now. */
    public Unsent(Claim claim) {
      this(claim, null);
    }
  }

  /**
   * Accepted by the relay (possibly with some recipients refused, sealed; recipients left out for
   * being suppressed are listed there too).
   *
   * @param suppressed how many recipients were left out because they are suppressed
   */
  record Sent(Claim claim, String reply, byte[] refusedRecipients, Instant at, int suppressed)
      implements Outcome {

    public Sent {
      claim = claim.withoutContent();
    }

    public Sent(Claim claim, String reply, byte[] refusedRecipients, Instant at) {
      this(claim, reply, refusedRecipients, at, 0);
    }
  }

  /**
   * Not attempted because every recipient is on the client's suppression list: SUPPRESSED, final,
   * the attempt given back.
   *
   * @param suppressed how many distinct recipients are suppressed
   */
  record Suppressed(Claim claim, int suppressed, Instant at) implements Outcome {

    public Suppressed {
      claim = claim.withoutContent();
    }
  }

  /**
   * Failed: back to the queue at {@code retryAt}, or a dead letter when {@code retryAt} is null.
   *
   * @param classification why it failed ({@code LEASE_EXPIRED} for a reaped claim)
   * @param text the error with personal data removed
   * @param retryAt when to try again; null: dead letter
   * @param deadReason why it is a dead letter (logged); null when retried
   * @param charged false for a relay-wide failure: the attempt is given back
   */
  record Failed(
      Claim claim,
      FailureClass classification,
      Integer replyCode,
      String text,
      Instant retryAt,
      String deadReason,
      Instant at,
      boolean charged)
      implements Outcome {

    public Failed {
      claim = claim.withoutContent();
    }

    /** Whether the message goes back to the queue (otherwise it becomes a dead letter). */
    public boolean retried() {
      return retryAt != null;
    }
  }
}
