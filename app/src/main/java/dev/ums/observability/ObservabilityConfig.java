package dev.ums.observability;

import dev.ums.delivery.DeliveryProperties;
import dev.ums.delivery.DeliveryRules;
import dev.ums.dispatch.DispatchProperties;
import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.email.EmailSender;
import dev.ums.email.SmtpProperties;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Metrics, health components, alerts and the admin stats. Reads the other features through their
 * public hooks only ({@link OutboxDispatcher#setListener}, {@code MessagesQueued} events) and the
 * tables ({@code message}, {@code outbox}, {@code send_failure}), never writing them; nothing
 * depends back on this package.
 */
@Configuration(proxyBeanMethods = false)
class ObservabilityConfig {

  /** How long one relay probe is trusted. */
  static final Duration RELAY_PROBE_CACHE = Duration.ofSeconds(10);

  /**
   * How long a health request waits for the database check: under the 1 s an orchestrator's probe
   * waits by default (Kubernetes' {@code timeoutSeconds}), so an unreachable database reads as not
   * ready rather than as a probe that timed out.
   */
  static final Duration DB_ANSWER_WITHIN = Duration.ofMillis(800);

  @Bean
  DispatchMetrics dispatchMetrics(
      MeterRegistry registry,
      AlertProperties alerts,
      Clock clock,
      ObjectProvider<OutboxDispatcher> dispatcher) {
    DispatchMetrics m =
        new DispatchMetrics(registry, new DeliveryWindow(alerts.failureRatio().window(), clock));
    dispatcher.ifAvailable(
        d -> {
          d.setListener(m);
          m.bind(d);
        });
    return m;
  }

  /** Connection attempts to the relay: during an outage, the relay breaker's probes. */
  @Bean
  io.micrometer.core.instrument.FunctionCounter smtpConnectionsOpened(
      MeterRegistry registry, dev.ums.email.EmailSender sender) {
    return io.micrometer.core.instrument.FunctionCounter.builder(
            "ums.smtp.connections.opened", sender, EmailSender::connectionsOpened)
        .description("Connections to the SMTP relay attempted, refused ones included")
        .register(registry);
  }

  @Bean
  OutboxStats outboxStats(
      JdbcTemplate jdbc,
      Clock clock,
      MeterRegistry registry,
      MetricsProperties metrics,
      DeliveryProperties delivery) {
    List<String> rules = new ArrayList<>(delivery.domains().keySet());
    rules.add(DeliveryRules.DEFAULT);
    OutboxStats s = new OutboxStats(jdbc, clock, metrics.backlogRefresh(), rules);
    s.register(registry);
    return s;
  }

  @Bean
  RelayProbe relayProbe(
      SmtpProperties smtp, Clock clock, @Qualifier("healthChecks") Executor healthChecks) {
    RelayProbe probe = new RelayProbe(smtp, clock, RELAY_PROBE_CACHE, healthChecks);
    probe.check(Duration.ZERO); // the first check starts now, not with the first health request
    return probe;
  }

  /** Named as Spring Boot's {@code db} indicator, which then backs off; see DatabaseHealth. */
  @Bean
  DatabaseHealth dbHealthIndicator(
      DataSource dataSource, @Qualifier("healthChecks") Executor healthChecks) {
    return new DatabaseHealth(dataSource, DB_ANSWER_WITHIN, healthChecks);
  }

  @Bean
  SmtpRelayHealth smtpRelayHealthIndicator(RelayProbe probe) {
    return new SmtpRelayHealth(probe);
  }

  @Bean
  BacklogHealth backlogHealthIndicator(OutboxStats stats, AlertProperties alerts) {
    return new BacklogHealth(stats, alerts.backlogAge());
  }

  /** Same condition as the dispatcher itself: no dispatcher, no component. */
  @Bean
  @Conditional(DispatchProperties.Sends.class)
  DispatcherHealth dispatcherHealthIndicator(
      OutboxDispatcher dispatcher, DispatchProperties props, Clock clock) {
    Duration stallAfter = props.pollInterval().multipliedBy(3).plusSeconds(10);
    return new DispatcherHealth(dispatcher, clock, stallAfter);
  }

  @Bean
  AlertNotifier alertNotifier(
      AlertProperties alerts,
      JsonMapper json,
      @Qualifier("alertDelivery") ScheduledExecutorService delivery) {
    return new AlertNotifier(alerts.webhook(), json, AlertNotifier.Delivery.on(delivery));
  }

  @Bean
  @Conditional(AlertProperties.Enabled.class)
  AlertEvaluator alertEvaluator(
      AlertProperties alerts,
      DispatchMetrics metrics,
      OutboxStats stats,
      RelayProbe probe,
      AlertNotifier notifier,
      Clock clock,
      ObjectProvider<OutboxDispatcher> dispatcher) {
    OutboxDispatcher local = dispatcher.getIfAvailable();
    AlertSignals signals =
        new AlertSignals() {
          @Override
          public DeliveryWindow.Counts delivery() {
            return metrics.window();
          }

          @Override
          public long deadLetters() {
            return metrics.deadLetters();
          }

          @Override
          public Duration oldestDueAge() {
            return stats.oldestDueAge();
          }

          @Override
          public Instant relayDownSince() {
            return probe.check().downSince();
          }

          @Override
          public Instant relayBreakerOpenSince() {
            return local == null ? null : local.relayBreaker().openSince();
          }
        };
    return new AlertEvaluator(alerts, signals, notifier, clock);
  }
}
