package dev.ums.ledger;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * An outbox row as the claim statement returned it, with the message content read in the same
 * statement. Never re-used after its results are recorded: every write about it is a CAS on {@code
 * claimToken}, and a stale token changes nothing.
 *
 * @param messageId the message (and outbox row) id
 * @param claimToken the token stamped by the claim that returned this row
 * @param attempt this attempt's number (1 for the first)
 * @param createdAt when the message was accepted (bounds its retry age)
 * @param content the sealed message content; null for rows claimed only to be reaped
 * @param leaseEndsNanos when the claim's lease ends, on the {@link System#nanoTime()} scale of the
 *     claiming JVM (taken before the claim statement, so never later than the stored lease); 0 for
 *     rows claimed only to be reaped
 * @param deliveryRule the delivery rule the message matched at intake; null for rows claimed only
 *     to be reaped
 * @param mode the message's mode: {@link DeliveryMode#TEST} is never handed to the relay
 * @param clientId the client the message belongs to (whose suppression list applies)
 */
public record Claim(
    UUID messageId,
    UUID claimToken,
    int attempt,
    Instant createdAt,
    byte[] content,
    long leaseEndsNanos,
    String deliveryRule,
    DeliveryMode mode,
    String clientId) {

  public Claim {
    Objects.requireNonNull(mode, "mode");
  }

  /** A claim of a live message under {@code deliveryRule}, its client not known. */
  public Claim(
      UUID messageId,
      UUID claimToken,
      int attempt,
      Instant createdAt,
      byte[] content,
      long leaseEndsNanos,
      String deliveryRule) {
    this(
        messageId,
        claimToken,
        attempt,
        createdAt,
        content,
        leaseEndsNanos,
        deliveryRule,
        DeliveryMode.LIVE,
        null);
  }

  /** A claim of a live message under the default rule, its client not known. */
  public Claim(
      UUID messageId,
      UUID claimToken,
      int attempt,
      Instant createdAt,
      byte[] content,
      long leaseEndsNanos) {
    this(
        messageId,
        claimToken,
        attempt,
        createdAt,
        content,
        leaseEndsNanos,
        NewMessage.DEFAULT_RULE,
        DeliveryMode.LIVE,
        null);
  }

  /**
   * This claim without its content: what an outcome keeps while it waits to be recorded, so that a
   * sent message's content (attachments included) is not held until its result is written.
   */
  public Claim withoutContent() {
    return content == null
        ? this
        : new Claim(
            messageId,
            claimToken,
            attempt,
            createdAt,
            null,
            leaseEndsNanos,
            deliveryRule,
            mode,
            clientId);
  }
}
