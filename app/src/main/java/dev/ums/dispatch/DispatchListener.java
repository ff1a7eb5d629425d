package dev.ums.dispatch;

import dev.ums.ledger.DeliveryMode;
import dev.ums.ledger.FailureClass;
import java.time.Duration;

/**
 * Hooks for observing delivery (metrics, alerts) without touching the dispatch loop. Called on
 * dispatcher threads: implementations must be fast and must not throw. They receive no message
 * content, no recipients and no message ids.
 */
public interface DispatchListener {

  /** A claim returned {@code count} rows (0 included). */
  default void claimed(int count) {}

  /**
   * The relay accepted a message, or a test-mode message was captured instead.
   *
   * @param smtpTime how long the SMTP exchange took
   * @param sinceAccepted from intake commit to now (accept→sent latency)
   * @param attempt which attempt succeeded (1 = first)
   * @param mode {@link DeliveryMode#TEST}: no relay was involved; not a real delivery
   */
  default void sent(Duration smtpTime, Duration sinceAccepted, int attempt, DeliveryMode mode) {}

  /**
   * An attempt failed.
   *
   * @param classification why it failed
   * @param deadLettered true if the message is now FAILED, false if it will be retried
   */
  default void failed(FailureClass classification, Duration smtpTime, boolean deadLettered) {}

  /**
   * Recipients of a claimed message were found on its client's suppression list.
   *
   * @param recipients how many were left out
   * @param wholeMessage every recipient: the message is SUPPRESSED, not sent
   */
  default void suppressed(int recipients, boolean wholeMessage) {}

  /**
   * {@code count} recipients the relay refused for their address were suppressed (hard bounces).
   */
  default void hardBounced(int count) {}

  /** No-op listener. */
  DispatchListener NONE = new DispatchListener() {};
}
