package dev.ums.config;

import dev.ums.dispatch.DispatchProperties;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.scheduling.annotation.EnableScheduling;

/**
 * Owns scheduling and executors for the whole service: {@code @Scheduled} jobs (idempotency purge,
 * lease reaper) and the SMTP sender pool.
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
}
