package dev.ums.delivery;

import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * Buckets in this JVM, for a database that lives in this process only (H2, development mode): there
 * is no other instance to share them with. The same arithmetic as {@link SharedBudgets}.
 */
final class LocalBudgets implements Budgets {

  private static final class Bucket {
    double tokens;
    Instant updated;
    double cutRate;
    Instant cutAt;
  }

  private final Map<String, Bucket> buckets = new HashMap<>();
  private final Shape shape;
  private final Clock clock;

  LocalBudgets(Shape shape, Clock clock) {
    this.shape = shape;
    this.clock = clock;
  }

  @Override
  public synchronized Grant take(String name, double rate, int want) {
    Instant now = clock.instant();
    Bucket b = bucket(name, rate, now);
    double current = current(b, rate, now);
    double refilled = Math.min(capacity(current), b.tokens + current * seconds(b.updated, now));
    int granted = (int) Math.min(Math.floor(refilled), want);
    b.tokens = refilled - granted;
    b.updated = now;
    return new Grant(granted, b.tokens, current);
  }

  @Override
  public synchronized void refund(String name, int n) {
    Bucket b = buckets.get(name);
    if (b != null) {
      b.tokens += n;
    }
  }

  @Override
  public synchronized double cut(String name, double rate) {
    Instant now = clock.instant();
    Bucket b = bucket(name, rate, now);
    if (b.cutAt != null && seconds(b.cutAt, now) < shape.coolSeconds()) {
      return -1;
    }
    double lowered = Math.max(Shape.floor(rate), current(b, rate, now) * shape.decrease());
    b.cutRate = lowered;
    b.cutAt = now;
    b.tokens = Math.min(b.tokens, capacity(lowered));
    return lowered;
  }

  @Override
  public synchronized Grant peek(String name, double rate) {
    Instant now = clock.instant();
    Bucket b = buckets.get(name);
    if (b == null) {
      return new Grant(0, capacity(rate), rate);
    }
    double current = current(b, rate, now);
    return new Grant(
        0, Math.min(capacity(current), b.tokens + current * seconds(b.updated, now)), current);
  }

  private Bucket bucket(String name, double rate, Instant now) {
    return buckets.computeIfAbsent(
        name,
        n -> {
          Bucket b = new Bucket();
          b.tokens = capacity(rate);
          b.updated = now;
          return b;
        });
  }

  private double current(Bucket b, double rate, Instant now) {
    if (b.cutAt == null) {
      return rate;
    }
    double climbing = Math.max(0, seconds(b.cutAt, now) - shape.coolSeconds());
    return Math.min(rate, b.cutRate + shape.increase() * rate * climbing);
  }

  private double capacity(double rate) {
    return Math.max(1, rate * shape.burstSeconds());
  }

  private static double seconds(Instant from, Instant to) {
    return Math.max(0, (to.toEpochMilli() - from.toEpochMilli()) / 1000d);
  }
}
