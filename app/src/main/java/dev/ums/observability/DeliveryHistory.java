package dev.ums.observability;

import static dev.ums.support.JdbcTime.ts;

import dev.ums.ledger.MessageStatus;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Read-only history of the pipeline for the operator console: messages per status, and messages
 * sent and attempts failed per minute. Fleet-wide (read from the database, not this instance's
 * meters). Each call runs its queries on the spot: the per-minute ones use the {@code sent_at} and
 * {@code send_failure.occurred_at} indexes, the status count scans {@code message} as {@code GET
 * /api/admin/stats} does.
 */
@Component
public class DeliveryHistory {

  private final JdbcTemplate jdbc;

  DeliveryHistory(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /**
   * Per-minute counts, oldest minute first.
   *
   * @param start the first minute shown
   * @param sent messages that reached SENT in each minute
   * @param failed failed attempts (retried or dead-lettered) in each minute
   */
  public record Minutes(Instant start, long[] sent, long[] failed) {

    public long maxPerMinute() {
      long max = 0;
      for (int i = 0; i < sent.length; i++) {
        max = Math.max(max, Math.max(sent[i], failed[i]));
      }
      return max;
    }

    public long totalSent() {
      long n = 0;
      for (long v : sent) {
        n += v;
      }
      return n;
    }

    public long totalFailed() {
      long n = 0;
      for (long v : failed) {
        n += v;
      }
      return n;
    }
  }

  /** Messages per status, every status present. */
  public Map<MessageStatus, Long> countByStatus() {
    Map<MessageStatus, Long> counts = new EnumMap<>(MessageStatus.class);
    for (MessageStatus s : MessageStatus.values()) {
      counts.put(s, 0L);
    }
    jdbc.query(
        "SELECT status, COUNT(*) AS n FROM message GROUP BY status",
        rs -> {
          counts.put(MessageStatus.valueOf(rs.getString("status")), rs.getLong("n"));
        });
    return Collections.unmodifiableMap(counts);
  }

  /** The {@code minutes} whole minutes up to and including the one {@code now} is in. */
  public Minutes perMinute(Instant now, int minutes) {
    Instant start = now.truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(minutes - 1L));
    long[] sent = new long[minutes];
    long[] failed = new long[minutes];
    fill(
        sent,
        start,
        """
        SELECT DATE_TRUNC('minute', sent_at) AS m, COUNT(*) AS n FROM message
         WHERE status = ? AND sent_at >= ? GROUP BY DATE_TRUNC('minute', sent_at)
        """,
        MessageStatus.SENT.name(),
        ts(start));
    fill(
        failed,
        start,
        """
        SELECT DATE_TRUNC('minute', occurred_at) AS m, COUNT(*) AS n FROM send_failure
         WHERE occurred_at >= ? GROUP BY DATE_TRUNC('minute', occurred_at)
        """,
        ts(start));
    return new Minutes(start, sent, failed);
  }

  private void fill(long[] into, Instant start, String sql, Object... args) {
    jdbc.query(
        sql,
        rs -> {
          Instant minute = rs.getObject("m", OffsetDateTime.class).toInstant();
          long i = Duration.between(start, minute).toMinutes();
          if (i >= 0 && i < into.length) {
            into[(int) i] += rs.getLong("n");
          }
        },
        args);
  }
}
