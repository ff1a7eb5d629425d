package dev.ums.observability;

import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code backlog}: UP while the oldest due message has waited at most {@code
 * ums.alerts.backlog-age}; {@link HealthStatus#WARN} beyond it; UNKNOWN when the outbox could not
 * be read.
 *
 * <p>Why WARN and not DOWN or OUT_OF_SERVICE: an old backlog is a fleet-wide condition that taking
 * this instance out of a load balancer would make worse, not better. WARN is ordered between DOWN
 * and UP and mapped to HTTP 200 (see application.yml), so the aggregate shows it while probes and
 * load balancers keep the instance; the {@code backlog_age} alert is what wakes a person.
 */
final class BacklogHealth implements HealthIndicator {

  private final OutboxStats stats;
  private final Duration threshold;

  BacklogHealth(OutboxStats stats, Duration threshold) {
    this.stats = stats;
    this.threshold = threshold;
  }

  @Override
  public Health health() {
    Duration age = stats.oldestDueAge();
    if (age == null) {
      return Health.unknown().withDetail("reason", "outbox not readable").build();
    }
    Health.Builder b =
        age.compareTo(threshold) > 0 ? Health.status(HealthStatus.WARN) : Health.up();
    return b.withDetail("backlog", stats.backlog())
        .withDetail("oldestDueAgeSeconds", age.toSeconds())
        .withDetail("thresholdSeconds", threshold.toSeconds())
        .build();
  }
}
