package dev.ums.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.security.RecipientIndex;
import dev.ums.testing.PostgresTestDatabase;
import dev.ums.testing.TestClock;
import dev.ums.web.ApiProblem;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/**
 * The suppression list's guarantees — digests only, per client, expiry, one entry per address even
 * under concurrent adds — as one suite run on each supported database, on a schema Flyway migrates
 * from that database's own migrations.
 */
class SuppressionsAcceptanceTest {

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnPostgresql extends Suite {
    private String db;

    @BeforeAll
    void database() {
      db = PostgresTestDatabase.create("ums_suppression");
      open(
          new DriverManagerDataSource(
              PostgresTestDatabase.url(db), PostgresTestDatabase.user(), ""),
          "postgresql");
    }

    @AfterAll
    void dropDatabase() {
      PostgresTestDatabase.drop(db);
    }
  }

  @Nested
  @TestInstance(TestInstance.Lifecycle.PER_CLASS)
  class OnH2 extends Suite {
    @BeforeAll
    void database() {
      open(
          new DriverManagerDataSource(
              "jdbc:h2:mem:suppression" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", ""),
          "h2");
    }
  }

  abstract static class Suite {
    final TestClock clock = new TestClock();
    final RecipientIndex index = RecipientIndex.withKey(new byte[32]);
    JdbcTemplate jdbc;
    DataSource dataSource;
    Suppressions suppressions;

    void open(DataSource ds, String vendor) {
      dataSource = ds;
      Flyway.configure()
          .dataSource(ds)
          .locations("classpath:db/migration/" + vendor)
          .load()
          .migrate();
      jdbc = new JdbcTemplate(ds);
      suppressions = new Suppressions(jdbc, index, clock);
    }

    @BeforeEach
    void empty() {
      clock.reset();
      jdbc.update("DELETE FROM suppression");
    }

    Suppression add(String client, String address) {
      return suppressions.add(client, new SuppressionRequest(address, null, null));
    }

    @Test
    void an_entry_is_the_digest_of_the_normalised_address_and_applies_to_its_client_only() {
      Suppression s = add("shop", "Ann <Ann@Example.com>");

      assertThat(s.reason()).isEqualTo(SuppressionReason.MANUAL);
      Map<String, Object> row = jdbc.queryForMap("SELECT * FROM suppression");
      assertThat(row.get("digest")).isEqualTo(index.address("ann@example.com"));
      assertThat(row.values()).noneMatch(v -> String.valueOf(v).contains("ann@"));
      assertThat(
              suppressions.suppressed(
                  "shop", List.of("ann@example.com", "ANN@example.com", "bob@example.com")))
          .containsExactlyInAnyOrder("ann@example.com", "ANN@example.com");
      assertThat(suppressions.suppressed("other", List.of("ann@example.com"))).isEmpty();
      assertThat(suppressions.list("shop", null, 10)).containsExactly(s);
      assertThat(suppressions.list("other", null, 10)).isEmpty();
      assertThat(suppressions.list(null, null, 10)).containsExactly(s);
    }

    @Test
    void the_emptiness_check_runs_once_a_second_and_entries_added_anywhere_apply()
        throws Exception {
      java.util.concurrent.atomic.AtomicInteger connections =
          new java.util.concurrent.atomic.AtomicInteger();
      DataSource counting =
          new org.springframework.jdbc.datasource.DelegatingDataSource(dataSource) {
            @Override
            public java.sql.Connection getConnection() throws java.sql.SQLException {
              connections.incrementAndGet();
              return super.getConnection();
            }
          };
      Suppressions here = new Suppressions(new JdbcTemplate(counting), index, clock);
      List<String> ann = List.of("ann@example.com");

      assertThat(here.suppressed("quiet", ann)).isEmpty();
      int first = connections.get();
      long started = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        assertThat(here.suppressed("quiet", ann)).isEmpty();
      }
      // At most one existence check per second begun, however slow the machine makes the loop.
      assertThat(connections.get() - first).isLessThanOrEqualTo(secondsBegunSince(started));

      // Added by another instance: applies here once this instance checks again (within 1 s).
      add("quiet", "ann@example.com");
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .until(() -> here.suppressed("quiet", ann).equals(java.util.Set.of("ann@example.com")));

      // Added by this instance: applies at once.
      List<String> bob = List.of("bob@example.com");
      assertThat(here.suppressed("quiet2", bob)).isEmpty();
      here.add("quiet2", new SuppressionRequest("bob@example.com", null, null));
      assertThat(here.suppressed("quiet2", bob)).containsExactly("bob@example.com");

      // A client with entries costs its look-up alone: no existence check beside each one.
      List<String> carl = List.of("carl@example.com");
      here.suppressed("quiet2", carl);
      int before = connections.get();
      long since = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        assertThat(here.suppressed("quiet2", carl)).isEmpty();
      }
      // 50 look-ups, plus at most one existence check per second begun (not one per look-up).
      assertThat(connections.get() - before).isLessThanOrEqualTo(50 + secondsBegunSince(since));
    }

    /** How many one-second periods have begun since {@code startNanos}: at least 1. */
    private static int secondsBegunSince(long startNanos) {
      return (int) ((System.nanoTime() - startNanos) / 1_000_000_000L) + 1;
    }

    @Test
    void adding_an_address_again_replaces_reason_and_expiry_and_keeps_the_id() {
      Suppression first = add("shop", "ann@example.com");
      Instant later = clock.instant().plus(Duration.ofDays(1));

      Suppression again =
          suppressions.add(
              "shop",
              new SuppressionRequest("ANN@example.com", SuppressionReason.COMPLAINT, later));

      assertThat(again.id()).isEqualTo(first.id());
      assertThat(again.reason()).isEqualTo(SuppressionReason.COMPLAINT);
      // Kept (and answered) to the microsecond, as the database stores it.
      assertThat(again.expiresAt()).isEqualTo(later.truncatedTo(ChronoUnit.MICROS));
      assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM suppression", Integer.class))
          .isEqualTo(1);
    }

    @Test
    void an_expired_entry_suppresses_nothing_and_a_new_add_restarts_it() {
      suppressions.add(
          "shop",
          new SuppressionRequest(
              "ann@example.com", null, clock.instant().plus(Duration.ofMinutes(1))));
      assertThat(suppressions.suppressed("shop", List.of("ann@example.com"))).hasSize(1);

      clock.advance(Duration.ofMinutes(2));
      assertThat(suppressions.suppressed("shop", List.of("ann@example.com"))).isEmpty();
      assertThat(suppressions.list("shop", null, 10)).isEmpty();

      suppressions.addHardBounces("shop", List.of("ann@example.com", "not an address"));
      Suppression back = suppressions.list("shop", null, 10).get(0);
      assertThat(back.reason()).isEqualTo(SuppressionReason.HARD_BOUNCE);
      assertThat(back.expiresAt()).isNull();
      assertThat(back.createdAt()).isAfterOrEqualTo(clock.instant().minusSeconds(1));
      assertThat(suppressions.suppressed("shop", List.of("ann@example.com"))).hasSize(1);
    }

    @Test
    void entries_are_removed_by_address_or_id_within_their_client_and_cleared_per_client() {
      Suppression ann = add("shop", "ann@example.com");
      add("shop", "bob@example.com");
      add("shop", "carl@example.com");
      add("other", "ann@example.com");

      assertThat(suppressions.remove("other", ann.id())).isFalse();
      assertThat(suppressions.remove("shop", ann.id())).isTrue();
      assertThat(suppressions.remove("shop", "BOB@example.com")).isTrue();
      assertThat(suppressions.remove("shop", "bob@example.com")).isFalse();
      assertThatThrownBy(() -> suppressions.remove("shop", "nope")).isInstanceOf(ApiProblem.class);
      assertThat(suppressions.clear("shop")).isEqualTo(1);
      assertThat(suppressions.suppressed("other", List.of("ann@example.com"))).hasSize(1);
    }

    @Test
    void listing_pages_newest_first() {
      List<Suppression> added = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        added.add(add("shop", "u" + i + "@example.com"));
        clock.advance(Duration.ofSeconds(1));
      }

      List<Suppression> page1 = suppressions.list("shop", null, 2);
      List<Suppression> page2 = suppressions.list("shop", page1.get(1).createdAt(), 2);

      assertThat(page1).containsExactly(added.get(4), added.get(3));
      assertThat(page2).containsExactly(added.get(2), added.get(1));
    }

    @Test
    void concurrent_adds_of_one_address_leave_one_entry() throws Exception {
      int threads = 6;
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Suppression>> results = new ArrayList<>();
      try {
        for (int i = 0; i < threads; i++) {
          Callable<Suppression> task =
              () -> {
                go.await();
                return add("shop", "race@example.com");
              };
          results.add(pool.submit(task));
        }
        go.countDown();
        Set<UUID> ids = new java.util.HashSet<>();
        for (Future<Suppression> f : results) {
          ids.add(f.get().id());
        }
        assertThat(ids).hasSize(1);
      } finally {
        pool.shutdownNow();
      }
      assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM suppression", Integer.class))
          .isEqualTo(1);
    }
  }
}
