package dev.ums.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.function.Supplier;

/** The system clock plus an offset that tests move forward. */
public class TestClock extends Clock {

  private volatile Duration offset = Duration.ZERO;
  private volatile Instant frozenAt;

  public void advance(Duration d) {
    offset = offset.plus(d);
  }

  /** Stops time until {@link #reset()}; only {@link #advance} moves it meanwhile. */
  public void freeze() {
    frozenAt = Instant.now();
  }

  public void reset() {
    frozenAt = null;
    offset = Duration.ZERO;
  }

  /**
   * Runs {@code action} with time stopped at {@code t}, then puts the clock back as it was (moved,
   * frozen or not): for writing a row as if at another time, without moving the test's time.
   */
  public synchronized <T> T at(Instant t, Supplier<T> action) {
    Instant wasFrozenAt = frozenAt;
    Duration wasOffset = offset;
    frozenAt = t;
    offset = Duration.ZERO;
    try {
      return action.get();
    } finally {
      frozenAt = wasFrozenAt;
      offset = wasOffset;
    }
  }

  @Override
  public Instant instant() {
    Instant frozen = frozenAt;
    return (frozen == null ? Instant.now() : frozen).plus(offset);
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
