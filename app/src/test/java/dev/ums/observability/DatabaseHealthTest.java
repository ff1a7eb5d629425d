package dev.ums.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;

/** The {@code db} component against real PostgreSQL and against a database that never answers. */
class DatabaseHealthTest {

  static final Duration BUDGET = Duration.ofMillis(800);

  final ExecutorService threads = Executors.newCachedThreadPool();
  final AtomicInteger checksStarted = new AtomicInteger();

  @AfterEach
  void stop() {
    threads.shutdownNow();
  }

  DatabaseHealth health(HikariDataSource pool) {
    return new DatabaseHealth(
        pool,
        BUDGET,
        r -> {
          checksStarted.incrementAndGet();
          threads.execute(r);
        });
  }

  /** A pool as application.yml sets it up: borrowers wait up to 3 s for a connection. */
  static HikariDataSource pool(String url) {
    HikariDataSource ds = new HikariDataSource();
    ds.setJdbcUrl(url);
    ds.setUsername(System.getProperty("spring.datasource.username", "postgres"));
    ds.setPassword(System.getProperty("spring.datasource.password", ""));
    ds.setConnectionTimeout(3_000);
    ds.setInitializationFailTimeout(-1);
    ds.setMaximumPoolSize(2);
    return ds;
  }

  @Test
  void a_reachable_database_is_up() {
    try (HikariDataSource pool = pool(System.getProperty("spring.datasource.url"))) {
      Health h = health(pool).health();

      assertThat(h.getStatus()).as(h.getDetails().toString()).isEqualTo(Status.UP);
      assertThat(h.getDetails()).containsEntry("database", "PostgreSQL");
    }
  }

  @Test
  void
      a_database_that_accepts_tcp_but_never_answers_is_down_within_the_budget_and_checks_do_not_pile_up()
          throws IOException {
    // Never accepted: the kernel completes the TCP handshake and nothing ever answers.
    try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        HikariDataSource pool =
            pool("jdbc:postgresql://127.0.0.1:" + silent.getLocalPort() + "/x")) {
      DatabaseHealth db = health(pool);

      for (int i = 0; i < 3; i++) {
        long t0 = System.nanoTime();
        Health h = db.health();
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        assertThat(h.getStatus()).isEqualTo(Status.DOWN);
        assertThat(h.getDetails()).containsEntry("error", "no answer within 800 ms");
        assertThat(took).as("answer %d", i).isLessThan(Duration.ofMillis(1_500));
      }
      assertThat(checksStarted).as("later requests share the check under way").hasValue(1);

      // The check itself ends by the pool's own timeout, and a later request sees its outcome.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> !"no answer within 800 ms".equals(db.health().getDetails().get("error")));
      assertThat(db.health().getStatus()).isEqualTo(Status.DOWN);
    }
  }
}
