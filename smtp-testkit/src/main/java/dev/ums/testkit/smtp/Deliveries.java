package dev.ums.testkit.smtp;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Messages the server answered with 2xx, keyed by the local part of their {@code Message-ID}. On
 * the sink's path for every message: a map insert and a few atomic updates; a repeated id also
 * counts in a second map, which stays empty unless something is delivered twice.
 */
final class Deliveries {

  /** Local part → {@link System#nanoTime()} of the first delivery. */
  private final Map<String, Long> firstById = new ConcurrentHashMap<>();

  /** Local part → deliveries beyond the first. */
  private final Map<String, AtomicInteger> repeatsById = new ConcurrentHashMap<>();

  private final AtomicInteger total = new AtomicInteger();
  private final AtomicInteger duplicates = new AtomicInteger();
  private final AtomicInteger withoutId = new AtomicInteger();
  private final AtomicLong firstAt = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastAt = new AtomicLong(Long.MIN_VALUE);
  private final List<String> inOrder = new ArrayList<>();

  /** The distinct count an {@link #awaitDistinct} caller waits for; MAX_VALUE when none waits. */
  private volatile long awaited = Long.MAX_VALUE;

  /** Records one delivery of {@code messageId} (the header value, or null); at {@code now}. */
  void record(String messageId, long now, boolean keepOrder) {
    total.incrementAndGet();
    firstAt.accumulateAndGet(now, Math::min);
    lastAt.accumulateAndGet(now, Math::max);
    if (keepOrder) {
      synchronized (inOrder) {
        inOrder.add(messageId);
      }
    }
    if (messageId == null) {
      withoutId.incrementAndGet();
      return;
    }
    String key = localPart(messageId);
    if (firstById.putIfAbsent(key, now) != null) {
      repeatsById.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      duplicates.incrementAndGet();
    } else if (firstById.size() >= awaited) {
      synchronized (firstById) {
        firstById.notifyAll();
      }
    }
  }

  /**
   * Waits until {@link #distinct()} reaches {@code n} or {@code timeoutNanos} pass; true if it did.
   * A delivery wakes the waiter only once the count is reached, so the hot path pays one volatile
   * read. One waiter at a time (the harness's drain loop).
   */
  boolean awaitDistinct(long n, long timeoutNanos) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutNanos;
    synchronized (firstById) {
      awaited = n;
      try {
        while (firstById.size() < n) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return false;
          }
          java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(firstById, left);
        }
        return true;
      } finally {
        awaited = Long.MAX_VALUE;
      }
    }
  }

  int total() {
    return total.get();
  }

  int distinct() {
    return firstById.size();
  }

  int duplicates() {
    return duplicates.get();
  }

  int withoutId() {
    return withoutId.get();
  }

  int count(String messageId) {
    String key = localPart(messageId);
    if (!firstById.containsKey(key)) {
      return 0;
    }
    AtomicInteger repeats = repeatsById.get(key);
    return 1 + (repeats == null ? 0 : repeats.get());
  }

  Long firstAt(String messageId) {
    return firstById.get(localPart(messageId));
  }

  long firstAt() {
    return firstAt.get();
  }

  long lastAt() {
    return lastAt.get();
  }

  List<String> inOrder() {
    synchronized (inOrder) {
      return Collections.unmodifiableList(new ArrayList<>(inOrder));
    }
  }

  void clearOrder() {
    synchronized (inOrder) {
      inOrder.clear();
    }
  }

  void reset() {
    clearOrder();
    firstById.clear();
    repeatsById.clear();
    total.set(0);
    duplicates.set(0);
    withoutId.set(0);
    firstAt.set(Long.MAX_VALUE);
    lastAt.set(Long.MIN_VALUE);
  }

  /** {@code <abc@host>} → {@code abc}; {@code abc} → {@code abc}. */
  static String localPart(String messageId) {
    int lt = messageId.indexOf('<');
    int at = messageId.indexOf('@', lt + 1);
    int gt = messageId.indexOf('>', lt + 1);
    int end = at >= 0 ? at : gt >= 0 ? gt : messageId.length();
    return messageId.substring(lt + 1, end);
  }
}
