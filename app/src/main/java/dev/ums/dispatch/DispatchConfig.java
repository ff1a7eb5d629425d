package dev.ums.dispatch;

import com.zaxxer.hikari.HikariDataSource;
import dev.ums.delivery.DeliveryControl;
import dev.ums.email.EmailSender;
import dev.ums.ledger.Ledger;
import dev.ums.message.MailProperties;
import dev.ums.security.ContentCipher;
import dev.ums.support.Dialect;
import dev.ums.suppression.Suppressions;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import tools.jackson.databind.json.JsonMapper;

/**
 * Wires the delivery side of an instance unless {@code ums.dispatch.enabled=false}: the lease
 * reaper and wake-up signals always, the dispatcher where this instance sends ({@link
 * DispatchProperties.Sends}).
 */
@Configuration(proxyBeanMethods = false)
@Conditional(DispatchProperties.Enabled.class)
class DispatchConfig {

  @Bean
  RetryPolicy retryPolicy(RetryProperties retry) {
    return retry.policy();
  }

  @Bean
  InstanceId dispatchInstanceId(DispatchProperties props) {
    return InstanceId.of(props);
  }

  @Bean
  @Conditional(DispatchProperties.Sends.class)
  OutboxDispatcher outboxDispatcher(
      Ledger ledger,
      EmailSender sender,
      @Qualifier("dispatchWorkers") Executor workers,
      RetryPolicy retryPolicy,
      DispatchProperties props,
      MailProperties mail,
      JsonMapper json,
      ContentCipher cipher,
      Clock clock,
      DeliveryControl control,
      Suppressions suppressions,
      InstanceId id,
      ObjectProvider<ClaimSource> source) {
    return new OutboxDispatcher(
        ledger,
        sender,
        workers,
        retryPolicy,
        props,
        id.value(),
        mail.messageIdDomain(),
        json,
        cipher,
        clock,
        control,
        suppressions,
        mail.bounceDomain(),
        source.getIfAvailable());
  }

  @Bean
  LeaseReaper leaseReaper(
      Ledger ledger,
      RetryPolicy retryPolicy,
      Clock clock,
      ObjectProvider<OutboxDispatcher> dispatcher,
      DispatchProperties props) {
    OutboxDispatcher local = dispatcher.getIfAvailable();
    return new LeaseReaper(
        ledger,
        retryPolicy,
        clock,
        local == null ? () -> DispatchListener.NONE : local::listener,
        props.reapGrace());
  }

  @Bean
  ReapSchedule reapSchedule(LeaseReaper reaper, DispatchProperties props) {
    return new ReapSchedule(reaper, props.reapInterval());
  }

  @Bean
  DispatchSignal dispatchSignal(
      ObjectProvider<Wakeable> targets,
      InstanceId id,
      JdbcTemplate jdbc,
      DataSource dataSource,
      Dialect dialect,
      DispatchProperties props) {
    DispatchSignal.ListenTarget target = null;
    if (props.listenNotify()
        && dialect.listenNotify()
        && dataSource instanceof HikariDataSource h) {
      target = new DispatchSignal.ListenTarget(h.getJdbcUrl(), h.getUsername(), h.getPassword());
    }
    return new DispatchSignal(targets.orderedStream().toList(), id.value(), jdbc, target);
  }

  /** Runs the reaper every {@code ums.dispatch.reap-interval}. */
  static class ReapSchedule implements SchedulingConfigurer {
    private final LeaseReaper reaper;
    private final Duration interval;

    ReapSchedule(LeaseReaper reaper, Duration interval) {
      this.reaper = reaper;
      this.interval = interval;
    }

    @Override
    public void configureTasks(ScheduledTaskRegistrar tasks) {
      tasks.addFixedDelayTask(new FixedDelayTask(this::run, interval, interval));
    }

    void run() {
      try {
        reaper.reap();
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(LeaseReaper.class)
            .warn("event=reap_failed error={}", e.getClass().getSimpleName());
      }
    }
  }
}
