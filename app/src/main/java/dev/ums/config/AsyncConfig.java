package dev.ums.config;

import dev.ums.dispatch.DispatchProperties;
import dev.ums.webhook.WebhookProperties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Owns scheduling and executors for the whole service: the scheduled jobs (idempotency purge, lease
 * reaper, content retention, backlog readings, alert evaluation, each a {@code
 * SchedulingConfigurer} that takes its interval from its settings record), the SMTP sender pool,
 * the alert webhook thread, the webhook delivery pool, the health-check threads and the maintenance
 * thread (re-encryption). One thread lives elsewhere: each SMTP connection pool's send watchdog
 * ({@code dev.ums.email.smtp.SendWatchdog}), which starts and stops with its pool, as a sender
 * built outside Spring has one too.
 */
@Configuration(proxyBeanMethods = false)
@EnableScheduling
public class AsyncConfig {

  /**
   * The SMTP sender pool: {@code ums.dispatch.workers} threads. Its queue is bounded in practice by
   * the dispatcher's in-flight limit, so it is left unbounded here.
   */
  @Bean(name = "dispatchWorkers", destroyMethod = "shutdown")
  ExecutorService dispatchWorkers(DispatchProperties props) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        props.workers(), r -> new Thread(r, "ums-send-" + n.incrementAndGet()));
  }

  /**
   * One thread that POSTs alert webhooks and schedules their retries, so a slow receiver never
   * holds the scheduler and a waiting retry holds no thread. Alerts are rare (one per rule per
   * cool-down), so its queue stays short.
   */
  @Bean(name = "alertDelivery", destroyMethod = "shutdown")
  ScheduledExecutorService alertDelivery() {
    return Executors.newSingleThreadScheduledExecutor(
        r -> {
          Thread t = new Thread(r, "ums-alert-webhook");
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * Threads for health checks that can hang (the SMTP relay probe, the database check), so that a
   * health request waits for them only as long as it can afford. Each check runs at most once at a
   * time, so this holds at most one thread per check; idle threads end after a minute.
   */
  @Bean(name = "healthChecks", destroyMethod = "shutdownNow")
  ExecutorService healthChecks() {
    AtomicInteger n = new AtomicInteger();
    return Executors.newCachedThreadPool(
        r -> {
          Thread t = new Thread(r, "ums-health-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }

  /** One thread for admin-started maintenance runs (re-encryption); one run at a time. */
  @Bean(name = "maintenance", destroyMethod = "shutdownNow")
  ExecutorService maintenance() {
    return Executors.newSingleThreadExecutor(
        r -> {
          Thread t = new Thread(r, "ums-maintenance");
          t.setDaemon(true);
          return t;
        });
  }

  /**
   * The webhook delivery pool: {@code ums.webhooks.workers} threads, apart from the SMTP sender
   * pool so a slow receiver never delays mail. Each endpoint is handed to at most one thread at a
   * time.
   */
  @Bean(name = "webhookWorkers", destroyMethod = "shutdownNow")
  ExecutorService webhookWorkers(WebhookProperties props) {
    AtomicInteger n = new AtomicInteger();
    return Executors.newFixedThreadPool(
        props.workers(),
        r -> {
          Thread t = new Thread(r, "ums-webhook-" + n.incrementAndGet());
          t.setDaemon(true);
          return t;
        });
  }
}
