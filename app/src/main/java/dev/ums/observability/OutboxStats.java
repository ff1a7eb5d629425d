package dev.ums.observability;

import dev.ums.support.JdbcTime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
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

  /** One reading; {@code oldestDue} null when nothing is due. */
  private record Snapshot(long backlog, Instant oldestDue) {}

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final Duration refreshEvery;
  private volatile Snapshot snapshot;
  private volatile boolean failing;

  OutboxStats(JdbcTemplate jdbc, Clock clock, Duration refreshEvery) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.refreshEvery = refreshEvery;
  }

  void register(MeterRegistry registry) {
    Gauge.builder("ums.outbox.backlog", this, OutboxStats::backlogGauge)
        .description("Outbox rows: queued, scheduled and in flight, fleet-wide")
        .register(registry);
    Gauge.builder("ums.outbox.oldest.due.age", this, OutboxStats::oldestDueAgeGauge)
        .description("Seconds since the oldest due, unclaimed outbox row became due; 0 if none")
        .register(registry);
  }

  /** Reads at once, then every {@code ums.metrics.backlog-refresh}. */
  @Override
  public void configureTasks(ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new FixedDelayTask(this::refresh, refreshEvery, Duration.ZERO));
  }

  void refresh() {
    try {
      Long backlog = jdbc.queryForObject("SELECT COUNT(*) FROM outbox", Long.class);
      OffsetDateTime oldest =
          jdbc.queryForObject(OLDEST_DUE, OffsetDateTime.class, JdbcTime.ts(clock.instant()));
      snapshot =
          new Snapshot(backlog == null ? 0 : backlog, oldest == null ? null : oldest.toInstant());
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

  private double backlogGauge() {
    long b = backlog();
    return b < 0 ? Double.NaN : b;
  }

  private double oldestDueAgeGauge() {
    Duration d = oldestDueAge();
    return d == null ? Double.NaN : d.toMillis() / 1000.0;
  }
}
