package dev.ums.observability;

import java.time.Duration;
import java.time.Instant;

/** What the alert rules read. Implementations answer from memory or caches, never slowly. */
interface AlertSignals {

  /** Attempts and failures over the failure-ratio window, on this instance. */
  DeliveryWindow.Counts delivery();

  /** Dead letters this instance has produced since start (monotonic). */
  long deadLetters();

  /** How long the oldest due, unclaimed message has waited; null when unknown. */
  Duration oldestDueAge();

  /** When the current relay outage began; null while the relay is reachable. */
  Instant relayDownSince();

  /** When this instance's relay breaker opened; null while closed or without a dispatcher. */
  default Instant relayBreakerOpenSince() {
    return null;
  }
}
