package dev.ums.bench;

import java.util.Arrays;

/** Percentiles over recorded nanosecond samples. */
final class Stats {

  private long[] samples = new long[1024];
  private int size;

  synchronized void add(long nanos) {
    if (size == samples.length) {
      samples = Arrays.copyOf(samples, size * 2);
    }
    samples[size++] = nanos;
  }

  synchronized void addAll(Stats other) {
    long[] o;
    int n;
    synchronized (other) {
      o = other.samples;
      n = other.size;
    }
    for (int i = 0; i < n; i++) {
      add(o[i]);
    }
  }

  synchronized int count() {
    return size;
  }

  /** The p-th percentile (0..100) in milliseconds, nearest rank; NaN when empty. */
  synchronized double percentileMillis(double p) {
    if (size == 0) {
      return Double.NaN;
    }
    long[] sorted = Arrays.copyOf(samples, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.min(size - 1, Math.max(0, rank - 1))] / 1e6;
  }

  synchronized double maxMillis() {
    long max = Long.MIN_VALUE;
    for (int i = 0; i < size; i++) {
      max = Math.max(max, samples[i]);
    }
    return size == 0 ? Double.NaN : max / 1e6;
  }
}
