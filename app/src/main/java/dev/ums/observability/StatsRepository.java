package dev.ums.observability;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.ledger.MessageStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.EnumMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * The counts of {@code GET /api/admin/stats}, read straight from the tables on each request (unlike
 * {@link OutboxStats}, which caches); reads only.
 */
@Repository
class StatsRepository {

  private final JdbcTemplate jdbc;

  StatsRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** Messages per status, every status present. */
  Map<MessageStatus, Long> countByStatus() {
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

  /**
   * The counts since {@code since}, and the age of the oldest due, unclaimed row, read from one
   * snapshot of the database per statement.
   */
  AdminStats stats(Instant now, Instant since) {
    Instant oldest = oldestDue(now);
    return new AdminStats(
        now,
        countByStatus(),
        count(
            "SELECT COUNT(*) FROM message WHERE status = ? AND sent_at >= ?",
            MessageStatus.SENT.name(),
            ts(since)),
        count("SELECT COUNT(*) FROM send_failure WHERE occurred_at >= ?", ts(since)),
        count(
            "SELECT COUNT(*) FROM message WHERE status = ? AND updated_at >= ?",
            MessageStatus.FAILED.name(),
            ts(since)),
        count(
            "SELECT COUNT(*) FROM message WHERE status = ? AND resolved_at IS NULL",
            MessageStatus.FAILED.name()),
        oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toSeconds()),
        count("SELECT COUNT(*) FROM outbox"));
  }

  private long count(String sql, Object... args) {
    Long n = jdbc.queryForObject(sql, Long.class, args);
    return n == null ? 0 : n;
  }

  /** The oldest {@code next_attempt_at} among due, unclaimed outbox rows; null if none. */
  private Instant oldestDue(Instant now) {
    return jdbc.query(
        "SELECT MIN(next_attempt_at) AS t FROM outbox WHERE claim_token IS NULL AND next_attempt_at <= ?",
        rs -> rs.next() ? instant(rs, "t") : null,
        ts(now));
  }
}
