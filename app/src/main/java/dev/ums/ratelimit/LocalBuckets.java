package dev.ums.ratelimit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Buckets in this instance's memory. */
final class LocalBuckets implements BucketStore {

  private final Clock clock;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  LocalBuckets(Clock clock) {
    this.clock = clock;
  }

  private static final class Bucket {
    double tokens = Double.NaN; // NaN: new, full
    Instant updated;
  }

  @Override
  public Take take(String clientId, String kind, double rate, double cost) {
    Bucket b = buckets.computeIfAbsent(clientId + "\u0000" + kind, k -> new Bucket());
    Instant now = clock.instant();
    synchronized (b) {
      double capacity = rate;
      double tokens =
          Double.isNaN(b.tokens)
              ? capacity
              : Math.min(capacity, b.tokens + rate * seconds(b.updated, now));
      b.updated = now;
      double need = Math.min(cost, capacity);
      if (tokens >= need) {
        b.tokens = tokens - cost;
        return new Take(true, Math.max(0, b.tokens), Duration.ZERO);
      }
      b.tokens = tokens;
      return new Take(false, Math.max(0, tokens), waitFor(need - tokens, rate));
    }
  }

  static double seconds(Instant from, Instant to) {
    return Math.max(0, Duration.between(from, to).toNanos() / 1e9);
  }

  static Duration waitFor(double missing, double rate) {
    return Duration.ofNanos((long) Math.ceil(missing / rate * 1e9));
  }
}
