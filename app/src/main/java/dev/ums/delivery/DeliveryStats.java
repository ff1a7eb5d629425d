package dev.ums.delivery;

import static dev.ums.support.JdbcTime.ts;

import dev.ums.ledger.Priority;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Read-only counts of the queue for delivery control: waiting rows per rule, per priority and per
 * client. Each is one aggregate over the unclaimed rows of {@code outbox} (the hot table, which
 * only holds mail not yet final).
 */
@Repository
class DeliveryStats {

  private final JdbcTemplate jdbc;
  private final Clock clock;

  DeliveryStats(JdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** Clients with due, unclaimed mail and how many rows each has. */
  Map<String, Long> dueByClient() {
    return counts(
        "SELECT client_id AS k, COUNT(*) AS n FROM outbox"
            + " WHERE claim_token IS NULL AND next_attempt_at <= ? AND client_id IS NOT NULL"
            + " GROUP BY client_id ORDER BY client_id",
        true);
  }

  /** Unclaimed rows (due or scheduled) per client. */
  Map<String, Long> waitingByClient() {
    return counts(
        "SELECT client_id AS k, COUNT(*) AS n FROM outbox WHERE claim_token IS NULL"
            + " AND client_id IS NOT NULL GROUP BY client_id ORDER BY client_id",
        false);
  }

  /** Unclaimed rows per stored delivery rule name. */
  Map<String, Long> waitingByRule() {
    return counts(
        "SELECT delivery_rule AS k, COUNT(*) AS n FROM outbox WHERE claim_token IS NULL"
            + " GROUP BY delivery_rule ORDER BY delivery_rule",
        false);
  }

  /** Unclaimed rows per priority (every priority listed, 0 included). */
  Map<String, Long> waitingByPriority() {
    Map<String, Long> out = new LinkedHashMap<>();
    for (Priority p : Priority.values()) {
      out.put(p.apiName(), 0L);
    }
    jdbc.query(
        "SELECT priority, COUNT(*) AS n FROM outbox WHERE claim_token IS NULL GROUP BY priority",
        rs -> {
          out.put(Priority.ofCode(rs.getInt("priority")).apiName(), rs.getLong("n"));
        });
    return out;
  }

  private Map<String, Long> counts(String sql, boolean due) {
    Map<String, Long> out = new LinkedHashMap<>();
    Object[] args = due ? new Object[] {ts(clock.instant())} : new Object[0];
    jdbc.query(
        sql,
        rs -> {
          out.put(rs.getString("k"), rs.getLong("n"));
        },
        args);
    return out;
  }
}
