package dev.ums.observability;

import java.time.Clock;
import java.time.Duration;

/**
 * Attempts and failures over a sliding window, in 60 time buckets (so the window slides in steps of
 * window/60). Thread-safe; recording is a few array writes under a lock.
 */
final class DeliveryWindow {

  private static final int BUCKETS = 60;

  /** Attempts and failed attempts in the window. */
  record Counts(long attempts, long failures) {
    /** failures / attempts; 0 with no attempts. */
    double ratio() {
      return attempts == 0 ? 0 : (double) failures / attempts;
    }
  }

  private final Clock clock;
  private final long bucketMillis;
  private final long[] slot = new long[BUCKETS];
  private final long[] attempts = new long[BUCKETS];
  private final long[] failures = new long[BUCKETS];

  DeliveryWindow(Duration window, Clock clock) {
    this.clock = clock;
    this.bucketMillis = Math.max(1, window.toMillis() / BUCKETS);
  }

  synchronized void record(boolean failed) {
    long s = clock.millis() / bucketMillis;
    int i = (int) Math.floorMod(s, BUCKETS);
    if (slot[i] != s) {
      slot[i] = s;
      attempts[i] = 0;
      failures[i] = 0;
    }
    attempts[i]++;
    if (failed) {
      failures[i]++;
    }
  }

  synchronized Counts counts() {
    long now = clock.millis() / bucketMillis;
    long a = 0;
    long f = 0;
    for (int i = 0; i < BUCKETS; i++) {
      if (slot[i] > now - BUCKETS && slot[i] <= now) {
        a += attempts[i];
        f += failures[i];
      }
    }
    return new Counts(a, f);
  }
}
