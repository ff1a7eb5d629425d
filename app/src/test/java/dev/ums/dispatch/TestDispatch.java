package dev.ums.dispatch;

import java.time.Duration;

/** Dispatch settings for tests that build their own dispatchers. */
public final class TestDispatch {

  private TestDispatch() {}

  /** Defaults but for these, a 100 ms poll, no reaping by schedule, no LISTEN/NOTIFY. */
  public static DispatchProperties props(int batchSize, int workers, int prefetch, Duration lease) {
    return new DispatchProperties(
        true,
        batchSize,
        workers,
        prefetch,
        lease,
        Duration.ofMillis(100),
        Duration.ofHours(1),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        null,
        false,
        breaker(true));
  }

  static DispatchProperties.Breaker breaker(boolean enabled) {
    return new DispatchProperties.Breaker(
        enabled, 20, 5, 0.5, Duration.ofSeconds(1), Duration.ofSeconds(30));
  }
}
