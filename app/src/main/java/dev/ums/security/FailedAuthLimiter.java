package dev.ums.security;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Failed authentications per source address: a token bucket of {@code burst} failures refilled at
 * {@code perSecond}. A request with a key from an address whose bucket is empty is refused (429)
 * before its key costs a hash or a query. IPv6 addresses count per /64, the block one host usually
 * has. At most {@code maxAddresses} buckets are kept: past that, the full ones (addresses that have
 * failed nothing lately) are dropped, and if that is not enough, arbitrary ones, so memory stays
 * bounded under a flood from many addresses.
 */
final class FailedAuthLimiter {

  private final double perNano;
  private final double burst;
  private final int maxAddresses;
  private final LongSupplier nanoTime;
  private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

  FailedAuthLimiter(double perSecond, int burst, int maxAddresses, LongSupplier nanoTime) {
    this.perNano = perSecond / 1e9;
    this.burst = burst;
    this.maxAddresses = maxAddresses;
    this.nanoTime = nanoTime;
  }

  private final class Bucket {
    private double tokens = burst;
    private long at = nanoTime.getAsLong();

    /** Refills up to {@code now}; must hold the lock. */
    private void refill(long now) {
      tokens = Math.min(burst, tokens + (now - at) * perNano);
      at = now;
    }

    synchronized long waitNanos(long now) {
      refill(now);
      return tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / perNano);
    }

    synchronized void take(long now) {
      refill(now);
      tokens = Math.max(0, tokens - 1);
    }

    synchronized boolean full(long now) {
      refill(now);
      return tokens >= burst;
    }
  }

  /** Whole seconds {@code address} must wait before its key is checked; 0 if it may go on. */
  long retryAfterSeconds(String address) {
    Bucket b = buckets.get(source(address));
    if (b == null) {
      return 0;
    }
    long wait = b.waitNanos(nanoTime.getAsLong());
    return wait == 0 ? 0 : Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
  }

  /** Counts one failed authentication from {@code address}. */
  void failed(String address) {
    long now = nanoTime.getAsLong();
    String source = source(address);
    Bucket b = buckets.get(source);
    if (b == null) {
      if (buckets.size() >= maxAddresses) {
        evict(now);
      }
      b = buckets.computeIfAbsent(source, s -> new Bucket());
    }
    b.take(now);
  }

  private void evict(long now) {
    buckets.values().removeIf(b -> b.full(now));
    Iterator<String> it = buckets.keySet().iterator();
    while (buckets.size() >= maxAddresses && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  /** Addresses tracked now. */
  int size() {
    return buckets.size();
  }

  void reset() {
    buckets.clear();
  }

  /** The address itself, or for IPv6 its /64. */
  static String source(String address) {
    if (address == null || address.indexOf(':') < 0) {
      return address == null ? "" : address;
    }
    try {
      byte[] b = InetAddress.getByName(address).getAddress(); // a literal: no name look-up
      if (b.length != 16) {
        return address;
      }
      StringBuilder s = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        s.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return s.append(":/64").toString();
    } catch (UnknownHostException | SecurityException e) {
      return address;
    }
  }
}
