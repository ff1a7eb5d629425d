package dev.ums.testkit.smtp;

import java.util.ArrayDeque;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.function.Predicate;

/**
 * An RCPT reply script (for {@link ScriptedSmtpServer#rcptReply(Function)}) that behaves like a
 * destination with a sending quota: recipients the quota covers are accepted at most {@code limit}
 * times in any one-second window, and refused above that with the given reply (say {@code 421 4.7.0
 * Too many messages}, after which the server hangs up, as a real relay does). Recipients the quota
 * does not cover are always accepted. Counts what it accepted and refused.
 */
public final class RateLimitedReply implements Function<String, String> {

  private static final long SECOND = 1_000_000_000L;
  private static final String ACCEPT = "250 2.1.5 Ok";

  private final int limit;
  private final Predicate<String> covers;
  private final String refusal;
  private final LongSupplier nanos;
  private final ArrayDeque<Long> window = new ArrayDeque<>();
  private final AtomicLong accepted = new AtomicLong();
  private final AtomicLong refused = new AtomicLong();

  RateLimitedReply(int limit, Predicate<String> covers, String refusal, LongSupplier nanos) {
    if (limit < 1) {
      throw new IllegalArgumentException("limit must be at least 1");
    }
    this.limit = limit;
    this.covers = covers;
    this.refusal = refusal;
    this.nanos = nanos;
  }

  /**
   * At most {@code perSecond} recipients of {@code domain} (exactly that domain, case ignored) in
   * any one second; the rest refused with {@code refusal}.
   */
  public static RateLimitedReply forDomain(String domain, int perSecond, String refusal) {
    String suffix = "@" + domain.toLowerCase(Locale.ROOT) + ">";
    return new RateLimitedReply(
        perSecond,
        line -> line.toLowerCase(Locale.ROOT).contains(suffix),
        refusal,
        System::nanoTime);
  }

  @Override
  public String apply(String rcptLine) {
    if (!covers.test(rcptLine)) {
      return ACCEPT;
    }
    long now = nanos.getAsLong();
    synchronized (window) {
      while (!window.isEmpty() && now - window.peekFirst() >= SECOND) {
        window.pollFirst();
      }
      if (window.size() < limit) {
        window.addLast(now);
        accepted.incrementAndGet();
        return ACCEPT;
      }
    }
    refused.incrementAndGet();
    return refusal;
  }

  /** Recipients under the quota accepted so far. */
  public long accepted() {
    return accepted.get();
  }

  /** Recipients under the quota refused so far. */
  public long refused() {
    return refused.get();
  }
}
