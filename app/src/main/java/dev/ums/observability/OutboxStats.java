package dev.ums.observability;

import dev.ums.ledger.Priority;
import dev.ums.support.JdbcTime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Backlog readings from the outbox table, refreshed by a cheap periodic query (every {@code
 * ums.metrics.backlog-refresh}) and cached, so scrapes and health checks never hit the database.
 * Readings cover the whole fleet (the outbox is shared), not only this instance.
 *
 * <p>The same reading counts the unclaimed rows (due or scheduled) per delivery rule and per
 * priority, for the waiting gauges: one grouped count replaces the plain count, so they cost no
 * extra query. Rules are the configured names and {@code default}; rows under a name no rule has
 * any more are counted under {@code default}, whose claim takes them.
 *
 * <p>When the database cannot be read the readings become unknown: the gauges show NaN and the
 * backlog health component UNKNOWN, rather than a stale number that looks fine.
 */
final class OutboxStats implements SchedulingConfigurer {

  private static final Logger log = LoggerFactory.getLogger(OutboxStats.class);

  private static final String OLDEST_DUE =
      """
      SELECT MIN(next_attempt_at) FROM outbox
       WHERE claim_token IS NULL AND next_attempt_at <= ?
      """;

  private static final String COUNTS =
      """
      SELECT delivery_rule, priority, CASE WHEN claim_token IS NULL THEN 1 ELSE 0 END AS waiting,
             COUNT(*) AS n
        FROM outbox
       GROUP BY delivery_rule, priority, CASE WHEN claim_token IS NULL THEN 1 ELSE 0 END
      """;

  /**
   * One reading; {@code oldestDue} null when nothing is due. The waiting maps hold unclaimed rows
   * by rule (the gauges' names only) and by priority.
   */
  private record Snapshot(
      long backlog,
      Instant oldestDue,
      Map<String, Long> waitingByRule,
      Map<Priority, Long> waitingByPriority) {}

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final Duration refreshEvery;
  private final List<String> rules;
  private volatile Snapshot snapshot;
  private volatile boolean failing;

  /**
   * @param rules the delivery rules to count waiting rows for: the configured names, then {@code
   *     default} (last: where rows under other names are counted)
   */
  OutboxStats(JdbcTemplate jdbc, Clock clock, Duration refreshEvery, List<String> rules) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.refreshEvery = refreshEvery;
    this.rules = List.copyOf(rules);
  }

  void register(MeterRegistry registry) {
    Gauge.builder("ums.outbox.backlog", this, OutboxStats::backlogGauge)
        .description("Outbox rows: queued, scheduled and in flight, fleet-wide")
        .register(registry);
    Gauge.builder("ums.outbox.oldest.due.age", this, OutboxStats::oldestDueAgeGauge)
        .description("Seconds since the oldest due, unclaimed outbox row became due; 0 if none")
        .register(registry);
    for (String rule : rules) {
      Gauge.builder("ums.delivery.waiting.rule", this, s -> s.waitingGauge(rule))
          .description("Unclaimed outbox rows (due or scheduled) of a delivery rule, fleet-wide")
          .tag("rule", rule)
          .register(registry);
    }
    for (Priority p : Priority.values()) {
      Gauge.builder("ums.delivery.waiting.priority", this, s -> s.waitingGauge(p))
          .description("Unclaimed outbox rows (due or scheduled) of a priority, fleet-wide")
          .tag("priority", p.apiName())
          .register(registry);
    }
  }

  /** Reads at once, then every {@code ums.metrics.backlog-refresh}. */
  @Override
  public void configureTasks(ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new FixedDelayTask(this::refresh, refreshEvery, Duration.ZERO));
  }

  void refresh() {
    try {
      String fallback = rules.get(rules.size() - 1);
      long[] backlog = {0};
      Map<String, Long> byRule = new HashMap<>();
      Map<Priority, Long> byPriority = new HashMap<>();
      jdbc.query(
          COUNTS,
          rs -> {
            long n = rs.getLong("n");
            backlog[0] += n;
            if (rs.getInt("waiting") == 1) {
              String rule = rs.getString("delivery_rule");
              byRule.merge(rules.contains(rule) ? rule : fallback, n, Long::sum);
              byPriority.merge(Priority.ofCode(rs.getInt("priority")), n, Long::sum);
            }
          });
      OffsetDateTime oldest =
          jdbc.queryForObject(OLDEST_DUE, OffsetDateTime.class, JdbcTime.ts(clock.instant()));
      snapshot =
          new Snapshot(backlog[0], oldest == null ? null : oldest.toInstant(), byRule, byPriority);
      if (failing) {
        failing = false;
        log.info("event=outbox_stats_recovered");
      }
    } catch (DataAccessException e) {
      snapshot = null;
      if (!failing) {
        failing = true;
        log.warn("event=outbox_stats_failed error={}", e.getClass().getSimpleName());
      }
    }
  }

  /** Outbox rows at the last reading, or -1 when unknown. */
  long backlog() {
    Snapshot s = snapshot;
    return s == null ? -1 : s.backlog();
  }

  /**
   * How long the oldest due, unclaimed row has waited, as of now; zero when none; null when the
   * last reading failed.
   */
  Duration oldestDueAge() {
    Snapshot s = snapshot;
    if (s == null) {
      return null;
    }
    if (s.oldestDue() == null) {
      return Duration.ZERO;
    }
    Duration d = Duration.between(s.oldestDue(), clock.instant());
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** Unclaimed rows of a rule at the last reading, or -1 when unknown. */
  long waiting(String rule) {
    Snapshot s = snapshot;
    return s == null ? -1 : s.waitingByRule().getOrDefault(rule, 0L);
  }

  /** Unclaimed rows of a priority at the last reading, or -1 when unknown. */
  long waiting(Priority priority) {
    Snapshot s = snapshot;
    return s == null ? -1 : s.waitingByPriority().getOrDefault(priority, 0L);
  }

  private double waitingGauge(String rule) {
    long n = waiting(rule);
    return n < 0 ? Double.NaN : n;
  }

  private double waitingGauge(Priority priority) {
    long n = waiting(priority);
    return n < 0 ? Double.NaN : n;
  }

  private double backlogGauge() {
    long b = backlog();
    return b < 0 ? Double.NaN : b;
  }

  private double oldestDueAgeGauge() {
    Duration d = oldestDueAge();
    return d == null ? Double.NaN : d.toMillis() / 1000.0;
  }
}
