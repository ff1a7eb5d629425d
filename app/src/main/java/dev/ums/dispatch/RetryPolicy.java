package dev.ums.dispatch;

import java.time.Duration;
import java.time.Instant;
import java.util.function.DoubleSupplier;

/**
 * When to try a failed message again, or when to give up. Exponential backoff with jitter that has
 * a floor (the delay before attempt n+1 is uniform in [floor · c, c] where c = min(cap, base ·
 * factor^(n-1)); with a floor of 0 this is "full jitter", which can retry at once and so spend a
 * message's attempts in seconds), bounded by a number of attempts and by the message's age — in the
 * spirit of RFC 5321 §4.5.4.1, which gives up after 4–5 days. Failures of the relay as a whole
 * ({@link #afterRelayFailure}) are bounded by age only. An immutable value: build it with {@link
 * #exponential} and the {@code with…} methods.
 */
public final class RetryPolicy {

  private final Duration base;
  private final Duration cap;
  private final double factor;
  private final int maxAttempts;
  private final Duration maxAge;
  private final DoubleSupplier random; // null: no jitter
  private final double floor;

  private RetryPolicy(
      Duration base,
      Duration cap,
      double factor,
      int maxAttempts,
      Duration maxAge,
      DoubleSupplier random,
      double floor) {
    if (base.isNegative() || cap.compareTo(base) < 0 || factor < 1 || maxAttempts < 1) {
      throw new IllegalArgumentException("retry policy: need 0 <= base <= cap, factor >= 1");
    }
    if (!(floor >= 0 && floor <= 1)) {
      throw new IllegalArgumentException("retry policy: jitter floor must be in [0, 1]");
    }
    this.floor = floor;
    this.base = base;
    this.cap = cap;
    this.factor = factor;
    this.maxAttempts = maxAttempts;
    this.maxAge = maxAge;
    this.random = random;
  }

  /** Backoff from {@code base}, doubling, capped at {@code cap}; 10 attempts, 4 days, no jitter. */
  public static RetryPolicy exponential(Duration base, Duration cap) {
    return new RetryPolicy(base, cap, 2.0, 10, Duration.ofDays(4), null, 0);
  }

  public RetryPolicy withFactor(double f) {
    return new RetryPolicy(base, cap, f, maxAttempts, maxAge, random, floor);
  }

  public RetryPolicy withMaxAttempts(int n) {
    return new RetryPolicy(base, cap, factor, n, maxAge, random, floor);
  }

  public RetryPolicy withMaxAge(Duration age) {
    return new RetryPolicy(base, cap, factor, maxAttempts, age, random, floor);
  }

  /**
   * Jitter from {@code random} (values in [0, 1)): the delay is uniform in [floor · ceiling,
   * ceiling].
   */
  public RetryPolicy withJitter(DoubleSupplier random, double floor) {
    return new RetryPolicy(base, cap, factor, maxAttempts, maxAge, random, floor);
  }

  /** Jitter with a floor of half the ceiling. */
  public RetryPolicy withJitter() {
    return withJitter(() -> java.util.concurrent.ThreadLocalRandom.current().nextDouble(), 0.5);
  }

  /** The outcome of asking the policy. */
  public sealed interface Decision {}

  /** Try again at {@code at}. */
  public record Retry(Instant at) implements Decision {}

  /** Stop: the message becomes a dead letter. */
  public record GiveUp(String reason) implements Decision {}

  /**
   * @param attempts attempts made so far, including the one that just failed
   * @param createdAt when the message was accepted
   */
  public Decision afterFailure(int attempts, Instant createdAt, Instant now) {
    if (attempts >= maxAttempts) {
      return new GiveUp("attempts spent (" + attempts + ")");
    }
    Instant at = now.plus(delay(attempts));
    if (at.isAfter(createdAt.plus(maxAge))) {
      return new GiveUp("maximum age reached (" + maxAge.toHours() + "h)");
    }
    return new Retry(at);
  }

  /**
   * After a failure of the relay as a whole (an outage, not this message's fault): try again at
   * {@code at} unless that is past the message's maximum age. Attempts are not counted.
   */
  public Decision afterRelayFailure(Instant createdAt, Instant at) {
    if (at.isAfter(createdAt.plus(maxAge))) {
      return new GiveUp("maximum age reached (" + maxAge.toHours() + "h)");
    }
    return new Retry(at);
  }

  /** The (jittered) delay after the {@code attempts}-th failure. */
  Duration delay(int attempts) {
    double ceiling = base.toMillis() * Math.pow(factor, Math.max(0, attempts - 1));
    long ms = (long) Math.min(cap.toMillis(), ceiling);
    if (random != null) {
      ms = (long) ((floor + (1 - floor) * random.getAsDouble()) * ms);
    }
    return Duration.ofMillis(ms);
  }

  int maxAttempts() {
    return maxAttempts;
  }
}
