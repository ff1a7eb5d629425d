package dev.ums.ratelimit;

import java.time.Duration;

/**
 * Token buckets: capacity = one second of {@code rate}, refilled continuously. A take of {@code
 * cost} succeeds when the bucket holds {@code min(cost, capacity)} tokens and then removes {@code
 * cost} — a request larger than the capacity passes on a full bucket and leaves it in debt, so it
 * is never refused forever.
 */
interface BucketStore {

  /** The outcome of a take. */
  record Take(boolean allowed, double remaining, Duration retryAfter) {}

  Take take(String clientId, String kind, double rate, double cost);
}
