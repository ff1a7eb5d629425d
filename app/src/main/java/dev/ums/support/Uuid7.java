package dev.ums.support;

import java.security.SecureRandom;
import java.util.UUID;

/**
 * UUID version 7 (RFC 9562): 48 bits of Unix milliseconds, then randomness. Ids made by one process
 * are strictly increasing (the 12-bit {@code rand_a} field is used as a counter within a
 * millisecond), so they index well and sort by creation time.
 */
public final class Uuid7 {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static long lastMillis;
  private static int counter;

  private Uuid7() {}

  /** A fresh, time-ordered id. */
  public static UUID next() {
    long millis;
    int seq;
    synchronized (Uuid7.class) {
      long now = System.currentTimeMillis();
      if (now > lastMillis) {
        lastMillis = now;
        counter = RANDOM.nextInt(1 << 10); // leave head-room for the counter
      } else if (++counter > 0xFFF) {
        lastMillis++; // counter spent: borrow the next millisecond, keep ordering
        counter = 0;
      }
      millis = lastMillis;
      seq = counter;
    }
    long msb = (millis << 16) | 0x7000L | seq;
    long lsb = (RANDOM.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(msb, lsb);
  }
}
