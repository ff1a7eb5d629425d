package dev.ums.console;

import dev.ums.observability.DeliveryHistory;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The overview's chart as inline SVG coordinates, drawn on the server: messages sent and attempts
 * failed per minute. No script and nothing fetched; the template only places the numbers.
 *
 * @param sent polyline points of the sent line
 * @param failed polyline points of the failed line
 * @param ticks horizontal grid lines with their labels
 * @param start the first minute
 */
record MinuteChart(
    int width,
    int height,
    String sent,
    String failed,
    List<Tick> ticks,
    long max,
    long totalSent,
    long totalFailed,
    Instant start) {

  static final int WIDTH = 720;
  static final int HEIGHT = 180;
  static final int LEFT = 40;
  static final int TOP = 10;
  static final int BOTTOM = 20;

  /** A grid line at {@code y} labelled {@code value}. */
  record Tick(int y, long value) {}

  static MinuteChart of(DeliveryHistory.Minutes m) {
    long max = Math.max(1, m.maxPerMinute());
    long top = niceCeiling(max);
    int plotHeight = HEIGHT - TOP - BOTTOM;
    List<Tick> ticks = new ArrayList<>();
    for (int i = 0; i <= 4; i++) {
      long v = top * i / 4;
      ticks.add(new Tick(y(v, top, plotHeight), v));
    }
    return new MinuteChart(
        WIDTH,
        HEIGHT,
        points(m.sent(), top, plotHeight),
        points(m.failed(), top, plotHeight),
        ticks,
        m.maxPerMinute(),
        m.totalSent(),
        m.totalFailed(),
        m.start());
  }

  private static String points(long[] values, long top, int plotHeight) {
    StringBuilder sb = new StringBuilder();
    int n = values.length;
    for (int i = 0; i < n; i++) {
      int x = LEFT + (int) Math.round((double) i * (WIDTH - LEFT - 24) / Math.max(1, n - 1));
      if (i > 0) {
        sb.append(' ');
      }
      sb.append(x).append(',').append(y(values[i], top, plotHeight));
    }
    return sb.toString();
  }

  private static int y(long value, long top, int plotHeight) {
    return TOP + plotHeight - (int) Math.round((double) value * plotHeight / top);
  }

  /**
   * The smallest of 4, 8, 20, 40 × 10^k that is at least {@code max}: divisible by 4, so the four
   * grid steps carry whole, round labels.
   */
  static long niceCeiling(long max) {
    for (long step = 1; ; step *= 10) {
      for (long f : new long[] {4, 8, 20, 40}) {
        if (f * step >= max) {
          return f * step;
        }
      }
    }
  }
}
