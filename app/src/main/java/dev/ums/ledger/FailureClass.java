package dev.ums.ledger;

import java.util.Locale;
import java.util.Optional;

/**
 * Why an attempt failed, and so whether trying again later can help. Stored in {@code
 * send_failure.classification} and {@code message.last_error_class}.
 */
public enum FailureClass {
  /** The server answered 4xx: try again later. */
  TRANSIENT,
  /** The server answered 5xx, or the message itself cannot be built: retrying will not help. */
  PERMANENT,
  /** The server did not answer within the connect, read or write timeout. */
  TIMEOUT,
  /** The server could not be reached or dropped the connection. */
  CONNECTION,
  /** A fault in UMS itself (for example content no key can open); retried within the budget. */
  INTERNAL,
  /** The dispatcher's lease ran out before it recorded a result (it crashed or stalled). */
  LEASE_EXPIRED;

  /** True when a later attempt may succeed without anything being changed. */
  public boolean retryable() {
    return this != PERMANENT;
  }

  /** The class named {@code text} (any case), or empty when there is none. */
  public static Optional<FailureClass> parse(String text) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(text.strip().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
