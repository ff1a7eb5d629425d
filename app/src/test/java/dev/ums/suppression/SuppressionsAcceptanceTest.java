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
    final RecipientIndex index = RecipientIndex.withKey(KEY_A);
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

    /** Counts the statements run through it, by their text. */
    static final class Statements extends org.springframework.jdbc.datasource.DelegatingDataSource {
      final java.util.Queue<String> sql = new java.util.concurrent.ConcurrentLinkedQueue<>();

      Statements(DataSource target) {
        super(target);
      }

      int count(String fragment) {
        return (int) sql.stream().filter(q -> q.contains(fragment)).count();
      }

      @Override
      public java.sql.Connection getConnection() throws java.sql.SQLException {
        java.sql.Connection c = super.getConnection();
        return (java.sql.Connection)
            java.lang.reflect.Proxy.newProxyInstance(
                java.sql.Connection.class.getClassLoader(),
                new Class<?>[] {java.sql.Connection.class},
                (proxy, method, args) -> {
                  if (method.getName().equals("prepareStatement") && args[0] instanceof String q) {
                    sql.add(q);
                  }
                  try {
                    return method.invoke(c, args);
                  } catch (java.lang.reflect.InvocationTargetException e) {
                    throw e.getCause();
                  }
                });
      }
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
      long firstLoop = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        assertThat(here.suppressed("quiet", ann)).isEmpty();
      }
      // At most one existence check per second begun, however slow the machine makes the loop.
      assertThat(connections.get() - first).isLessThanOrEqualTo(secondsBegunSince(firstLoop));

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

      // A client with entries costs its look-up alone: no existence check beside each one (one
      // per second at most, however slow the machine runs the loop).
      Statements statements = new Statements(dataSource);
      Suppressions counted = new Suppressions(new JdbcTemplate(statements), index, clock);
      List<String> carl = List.of("carl@example.com");
      counted.suppressed("quiet2", carl);
      statements.sql.clear();
      long started = System.nanoTime();
      for (int i = 0; i < 50; i++) {
        assertThat(counted.suppressed("quiet2", carl)).isEmpty();
      }
      int periods = secondsBegunSince(started);
      assertThat(statements.count("SELECT digest FROM suppression")).isEqualTo(50);
      assertThat(statements.count("SELECT EXISTS")).isLessThanOrEqualTo(periods);
      assertThat(statements.sql).hasSize(50 + statements.count("SELECT EXISTS"));
    }

    /**
     * How many of the emptiness cache's periods ({@link Suppressions#EMPTY_FOR_NANOS}, a second)
     * have begun since {@code startNanos}: at least 1, the most existence checks it may run.
     */
    private static int secondsBegunSince(long startNanos) {
      return (int) ((System.nanoTime() - startNanos) / Suppressions.EMPTY_FOR_NANOS) + 1;
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

    /** The suite's index key (A) and the key that replaces it (B). */
    static final byte[] KEY_A = new byte[32];

    static final byte[] KEY_B = filled(2);

    static byte[] filled(int b) {
      byte[] k = new byte[32];
      java.util.Arrays.fill(k, (byte) b);
      return k;
    }

    /** This database's list, read by an instance whose current index key is B. */
    Suppressions underB(byte[]... previous) {
      return new Suppressions(jdbc, RecipientIndex.withKeys(KEY_B, previous), clock);
    }

    String storedDigest(UUID id) {
      return jdbc.queryForObject("SELECT digest FROM suppression WHERE id = ?", String.class, id);
    }

    int entries() {
      return jdbc.queryForObject("SELECT COUNT(*) FROM suppression", Integer.class);
    }

    @Test
    void after_an_index_key_change_an_entry_matches_only_if_its_key_is_kept_as_previous() {
      Suppression ann = add("shop", "ann@example.com");
      String digestA = index.address("ann@example.com");

      // Without previous keys the entry is lost to every check: the setting is what keeps it.
      assertThat(underB().suppressed("shop", List.of("ann@example.com"))).isEmpty();
      assertThat(storedDigest(ann.id())).isEqualTo(digestA);

      Suppressions b = underB(KEY_A);
      assertThat(b.suppressed("shop", List.of("Ann <ANN@example.com>", "bob@example.com")))
          .containsExactly("Ann <ANN@example.com>");
      // Re-keyed on the hit: same entry, now under B's digest, found by B alone from now on.
      String digestB = RecipientIndex.withKey(KEY_B).address("ann@example.com");
      assertThat(storedDigest(ann.id())).isEqualTo(digestB).isNotEqualTo(digestA);
      assertThat(entries()).isEqualTo(1);
      assertThat(underB().suppressed("shop", List.of("ann@example.com"))).hasSize(1);
      assertThat(b.list("shop", null, 10)).containsExactly(ann);
      // Per client still: another client's check finds nothing.
      assertThat(b.suppressed("other", List.of("ann@example.com"))).isEmpty();
    }

    @Test
    void with_previous_keys_a_check_is_still_one_look_up_and_large_batches_are_chunked() {
      for (int i = 0; i < 3; i++) {
        add("shop", "u" + i + "@example.com");
      }
      // More digests (two per address) than one chunk holds; the old-key entries sit at the end.
      List<String> batch = new ArrayList<>();
      for (int i = 1200; i > 0; i--) {
        batch.add("u" + (i - 1) + "@example.com");
      }
      Statements statements = new Statements(dataSource);
      Suppressions b =
          new Suppressions(
              new JdbcTemplate(statements), RecipientIndex.withKeys(KEY_B, KEY_A), clock);
      List<String> fresh = List.of("nobody@example.com");
      b.suppressed("shop", fresh); // learns that the client has entries
      statements.sql.clear();
      for (int i = 0; i < 20; i++) {
        assertThat(b.suppressed("shop", fresh)).isEmpty();
      }
      // One look-up per check, asking for both digests; nothing else but the existence check.
      assertThat(statements.count("SELECT digest FROM suppression")).isEqualTo(20);
      assertThat(statements.sql)
          .allMatch(q -> q.contains("SELECT EXISTS") || q.contains("digest IN (?,?)"));

      assertThat(b.suppressed("shop", batch))
          .containsExactlyInAnyOrder("u0@example.com", "u1@example.com", "u2@example.com");
      RecipientIndex onlyB = RecipientIndex.withKey(KEY_B);
      assertThat(jdbc.queryForList("SELECT digest FROM suppression", String.class))
          .containsExactlyInAnyOrder(
              onlyB.address("u0@example.com"),
              onlyB.address("u1@example.com"),
              onlyB.address("u2@example.com"));
    }

    @Test
    void adding_an_address_stored_under_a_previous_key_updates_that_entry() {
      Suppression first = add("shop", "ann@example.com");
      Suppressions b = underB(filled(3), KEY_A);

      Suppression again =
          b.add(
              "shop", new SuppressionRequest("ann@example.com", SuppressionReason.COMPLAINT, null));
      b.addHardBounces("shop", List.of("ann@example.com"));

      assertThat(again.id()).isEqualTo(first.id());
      assertThat(again.reason()).isEqualTo(SuppressionReason.COMPLAINT);
      assertThat(entries()).isEqualTo(1);
      assertThat(storedDigest(first.id()))
          .isEqualTo(RecipientIndex.withKey(KEY_B).address("ann@example.com"));
      assertThat(b.list("shop", null, 10).get(0).reason()).isEqualTo(SuppressionReason.HARD_BOUNCE);

      // A hard bounce of an address under the old key re-keys it too, rather than adding one.
      Suppression bob = add("shop", "bob@example.com");
      b.addHardBounces("shop", List.of("bob@example.com"));
      assertThat(entries()).isEqualTo(2);
      assertThat(storedDigest(bob.id()))
          .isEqualTo(RecipientIndex.withKey(KEY_B).address("bob@example.com"));
    }

    @Test
    void removing_an_address_finds_its_entry_under_a_previous_key() {
      add("shop", "ann@example.com");
      add("other", "ann@example.com");

      assertThat(underB().remove("shop", "ann@example.com")).isFalse();
      assertThat(underB(KEY_A).remove("shop", "ANN@example.com")).isTrue();
      assertThat(underB(KEY_A).remove("shop", "ann@example.com")).isFalse();
      assertThat(entries()).isEqualTo(1);
      assertThat(suppressions.suppressed("other", List.of("ann@example.com"))).hasSize(1);
    }

    @Test
    void an_address_under_both_keys_keeps_the_newer_entry_unless_it_has_expired() {
      // An instance not yet told of the previous key adds the address again under B.
      Suppression old = add("shop", "ann@example.com");
      Suppression newer =
          underB()
              .add(
                  "shop",
                  new SuppressionRequest("ann@example.com", SuppressionReason.COMPLAINT, null));
      assertThat(entries()).isEqualTo(2);

      assertThat(underB(KEY_A).suppressed("shop", List.of("ann@example.com"))).hasSize(1);
      assertThat(jdbc.queryForList("SELECT id FROM suppression", UUID.class))
          .containsExactly(newer.id());
      assertThat(old.id()).isNotEqualTo(newer.id());

      // The entry under B has expired: it counts as none, and the one under A takes its place.
      jdbc.update("DELETE FROM suppression");
      Suppression kept = add("shop", "bob@example.com");
      underB()
          .add(
              "shop",
              new SuppressionRequest(
                  "bob@example.com", null, clock.instant().plus(Duration.ofMinutes(1))));
      clock.advance(Duration.ofMinutes(2));
      assertThat(underB(KEY_A).suppressed("shop", List.of("bob@example.com"))).hasSize(1);
      assertThat(jdbc.queryForList("SELECT id FROM suppression", UUID.class))
          .containsExactly(kept.id());
      assertThat(storedDigest(kept.id()))
          .isEqualTo(RecipientIndex.withKey(KEY_B).address("bob@example.com"));
    }

    @Test
    void rekey_moves_the_old_key_entries_of_the_given_addresses_only() {
      Suppression ann = add("shop", "ann@example.com");
      Suppression carl = add("shop", "carl@example.com");
      Suppression expired =
          suppressions.add(
              "shop",
              new SuppressionRequest(
                  "dan@example.com", null, clock.instant().plus(Duration.ofMinutes(1))));
      clock.advance(Duration.ofMinutes(2));
      RecipientIndex onlyB = RecipientIndex.withKey(KEY_B);

      assertThat(underB().rekey("shop", List.of("ann@example.com"))).isZero();
      assertThat(
              underB(KEY_A)
                  .rekey("shop", List.of("ann@example.com", "bob@example.com", "dan@example.com")))
          .isEqualTo(2);

      assertThat(storedDigest(ann.id())).isEqualTo(onlyB.address("ann@example.com"));
      assertThat(storedDigest(expired.id())).isEqualTo(onlyB.address("dan@example.com"));
      assertThat(storedDigest(carl.id())).isEqualTo(index.address("carl@example.com"));
      assertThat(underB(KEY_A).rekey("shop", List.of("ann@example.com"))).isZero();
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
