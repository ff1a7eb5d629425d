package dev.ums.dispatch;

import dev.ums.ledger.FailureClass;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A circuit breaker on the SMTP relay as a whole. It watches the outcomes of the last {@code
 * window} attempts; when at least {@code min-failures} of them, and at least {@code failure-ratio}
 * of them, failed in a way that says the relay (not the message) is in trouble — refused or dropped
 * connections, timeouts, 4xx replies — it opens: the dispatcher claims nothing and sends nothing
 * (rows already in hand go back to the queue unsent). After {@code open-for} it lets one message
 * through as a probe (half-open): success closes it, another relay failure opens it again for twice
 * as long, up to {@code max-open-for}.
 *
 * <p>Failures that trip it, and any that arrive while it is open or half-open, are relay-wide:
 * {@link #onFailure} returns true and the dispatcher does not charge them to the message's attempts
 * (only its maximum age bounds them). A 5xx reply or a success means the relay is answering; they
 * count as healthy outcomes. Thread-safe; all methods are short and synchronized.
 */
public final class RelayBreaker {

  private static final Logger log = LoggerFactory.getLogger(RelayBreaker.class);

  /** Where the breaker stands. */
  public enum State {
    /** The relay is healthy: claims and sends as usual. */
    CLOSED,
    /** The relay is failing: nothing is claimed or sent until {@code open-for} has passed. */
    OPEN,
    /** One probe message is on its way; its outcome closes or reopens the breaker. */
    HALF_OPEN
  }

  private final DispatchProperties.Breaker settings;
  private final Clock clock;
  private final boolean[] failed;
  private int next;
  private int size;
  private int failures;
  private State state = State.CLOSED;
  private Duration openFor;
  private Instant openUntil;
  private Instant openSince;
  private boolean probeOut;
  private long trips;

  RelayBreaker(DispatchProperties.Breaker settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
    this.failed = new boolean[settings.window()];
    this.openFor = settings.openFor();
  }

  /** How many of {@code want} rows the claim loop may take now (0 while open). */
  synchronized int permits(int want) {
    if (!settings.enabled() || state == State.CLOSED) {
      return want;
    }
    if (state == State.OPEN && !clock.instant().isBefore(openUntil)) {
      state = State.HALF_OPEN;
      probeOut = false;
      log.info("event=relay_breaker_half_open");
    }
    if (state == State.HALF_OPEN && !probeOut && want > 0) {
      probeOut = true;
      return 1;
    }
    return 0;
  }

  /** The claim that {@link #permits} allowed returned {@code count} rows. */
  synchronized void claimed(int count) {
    if (state == State.HALF_OPEN && count == 0) {
      probeOut = false; // nothing was due: probe with the next claim
    }
  }

  /** Whether a claimed row may be sent now; false while open (the row is released instead). */
  synchronized boolean maySend() {
    return !settings.enabled() || state != State.OPEN;
  }

  /** The relay accepted a message, or answered it with a 5xx (it is up). */
  synchronized void onHealthy() {
    record(false);
    if (state != State.CLOSED) {
      log.info(
          "event=relay_breaker_closed open_for_ms={}",
          Duration.between(openSince, clock.instant()).toMillis());
      state = State.CLOSED;
      openFor = settings.openFor();
      openSince = null;
      reset();
    }
  }

  /**
   * An attempt failed with {@code c}.
   *
   * @return true when the failure is the relay's (the breaker is, or now becomes, open or
   *     half-open), so it must not be charged to the message
   */
  synchronized boolean onFailure(FailureClass c) {
    if (c == FailureClass.PERMANENT) {
      onHealthy();
      return false;
    }
    if (!settings.enabled()) {
      return false;
    }
    record(true);
    Instant now = clock.instant();
    switch (state) {
      case OPEN -> {
        return true;
      }
      case HALF_OPEN -> {
        openFor = min(openFor.multipliedBy(2), settings.maxOpenFor());
        open(now);
        return true;
      }
      default -> {
        if (failures >= settings.minFailures() && failures >= settings.failureRatio() * size) {
          openSince = now;
          trips++;
          open(now);
          return true;
        }
        return false;
      }
    }
  }

  /** The current state. */
  public synchronized State state() {
    return state;
  }

  /** When the breaker last opened after being closed; null while closed. */
  public synchronized Instant openSince() {
    return openSince;
  }

  /** How many times the breaker has opened from closed since start. */
  public synchronized long trips() {
    return trips;
  }

  private void open(Instant now) {
    state = State.OPEN;
    openUntil = now.plus(openFor);
    probeOut = false;
    log.warn(
        "event=relay_breaker_open failures={} window={} probe_in_ms={}",
        failures,
        size,
        openFor.toMillis());
  }

  private void record(boolean failure) {
    if (size == failed.length && failed[next]) {
      failures--;
    }
    failed[next] = failure;
    if (failure) {
      failures++;
    }
    next = (next + 1) % failed.length;
    size = Math.min(size + 1, failed.length);
  }

  private void reset() {
    java.util.Arrays.fill(failed, false);
    next = 0;
    size = 0;
    failures = 0;
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
