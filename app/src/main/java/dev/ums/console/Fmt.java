package dev.ums.console;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** How the console writes times and ages: UTC, to the second. Available to templates as fmt. */
final class Fmt {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

  private static final DateTimeFormatter MINUTE =
      DateTimeFormatter.ofPattern("HH:mm").withZone(ZoneOffset.UTC);

  public String time(Instant i) {
    return i == null ? "—" : TIME.format(i);
  }

  public String minute(Instant i) {
    return i == null ? "" : MINUTE.format(i);
  }

  /** {@code 0s}, {@code 42s}, {@code 3m 05s}, {@code 2h 10m}, {@code 4d 3h}. */
  public String age(Duration d) {
    if (d == null) {
      return "unknown";
    }
    long s = Math.max(0, d.toSeconds());
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return String.format("%dm %02ds", s / 60, s % 60);
    }
    if (s < 86_400) {
      return String.format("%dh %02dm", s / 3600, (s % 3600) / 60);
    }
    return String.format("%dd %dh", s / 86_400, (s % 86_400) / 3600);
  }

  /** The chart's x position of minute {@code i} of {@code n}, for axis labels. */
  public int x(int i, int n) {
    return MinuteChart.LEFT
        + (int) Math.round((double) i * (MinuteChart.WIDTH - MinuteChart.LEFT - 24) / (n - 1));
  }

  public Instant plusMinutes(Instant i, long m) {
    return i.plus(Duration.ofMinutes(m));
  }
}
