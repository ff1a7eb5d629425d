package dev.ums.delivery;

import java.time.Duration;

/**
 * Token buckets for send rates, one per name (the global rate, each rule's rate). A bucket holds at
 * most {@code max(1, rate × burst)} tokens and refills continuously at the bucket's current rate,
 * which is its configured rate unless a rate-limit reply lowered it (then it climbs back, see
 * {@link DeliveryProperties.Adaptive}). The rate and the last cut live with the bucket, so on a
 * shared store every instance spends from, and adapts, the same budget.
 */
interface Budgets {

  /**
   * What a take granted.
   *
   * @param granted whole tokens taken (0 to the number asked)
   * @param tokens what is left in the bucket
   * @param rate the bucket's current rate
   */
  record Grant(int granted, double tokens, double rate) {

    /** How long until the bucket holds {@code n} tokens, at its current rate. */
    Duration until(double n) {
      double missing = n - tokens;
      return missing <= 0
          ? Duration.ZERO
          : Duration.ofNanos((long) Math.ceil(missing / rate * 1_000_000_000d));
    }
  }

  /**
   * Takes up to {@code want} whole tokens from bucket {@code name} whose configured rate is {@code
   * rate}; atomic across every instance sharing the store.
   */
  Grant take(String name, double rate, int want);

  /** Gives back {@code n} tokens a take granted but no row used. */
  void refund(String name, int n);

  /**
   * Lowers the bucket's current rate by the decrease factor, unless it was lowered less than a
   * cool-down ago. Returns the new rate, or a negative number when nothing changed.
   */
  double cut(String name, double rate);

  /** The bucket's current state without taking anything (for the admin API). */
  Grant peek(String name, double rate);

  /** The settings every bucket shares. */
  record Shape(Duration burst, double decrease, Duration coolDown, double increase) {

    static Shape of(DeliveryProperties p) {
      DeliveryProperties.Adaptive a = p.adaptive();
      return new Shape(p.burst(), a.decrease(), a.coolDown(), a.increase());
    }

    double burstSeconds() {
      return burst.toNanos() / 1e9;
    }

    double coolSeconds() {
      return coolDown.toNanos() / 1e9;
    }

    /** The lowest a cut takes a rate: a hundredth of the configured one. */
    static double floor(double rate) {
      return rate / 100;
    }
  }
}
