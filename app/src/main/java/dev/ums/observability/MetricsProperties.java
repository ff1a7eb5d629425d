package dev.ums.observability;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.metrics.*}: how the gauges that need the database are read.
 *
 * @param backlogRefresh how often the outbox gauges ({@code ums.outbox.backlog}, {@code
 *     ums.outbox.oldest.due.age}) and the {@code backlog} health component are read from the
 *     database; scrapes and health checks read the cached value
 */
@ConfigurationProperties("ums.metrics")
record MetricsProperties(@DefaultValue("5s") Duration backlogRefresh) {

  MetricsProperties {
    if (backlogRefresh.isNegative() || backlogRefresh.isZero()) {
      throw new IllegalArgumentException("ums.metrics.backlog-refresh must be positive");
    }
  }
}
