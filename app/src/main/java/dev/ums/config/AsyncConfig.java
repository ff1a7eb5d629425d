package dev.ums.config;

import dev.ums.dispatch.DispatchProperties;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Owns scheduling and executors for the whole service: {@code @Scheduled} jobs (idempotency purge,
 * lease reaper, backlog readings, alert evaluation), the SMTP sender pool and the alert webhook
 * thread.
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
   * One thread that POSTs alert webhooks, so a slow receiver and its retries never hold the
   * scheduler. Alerts are rare; a full queue (100) drops the newest with an ERROR log line.
   */
  @Bean(name = "alertDelivery", destroyMethod = "shutdown")
  ExecutorService alertDelivery() {
    ThreadPoolExecutor pool =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.MILLISECONDS,
            new ArrayBlockingQueue<>(100),
            r -> {
              Thread t = new Thread(r, "ums-alert-webhook");
              t.setDaemon(true);
              return t;
            });
    return pool;
  }
}
