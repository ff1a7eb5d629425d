package dev.ums;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.PostgresTestDatabase;
import java.util.List;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.output.MigrateResult;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The migrations run clean on an empty database of each dialect. */
class MigrationTest {

  static final List<String> TABLES =
      List.of("message", "outbox", "idempotency_record", "send_failure");

  @Test
  void migrates_an_empty_postgresql_database() {
    String db = PostgresTestDatabase.create("ums_migration");
    try {
      var ds =
          new DriverManagerDataSource(
              PostgresTestDatabase.url(db), PostgresTestDatabase.user(), "");
      MigrateResult r = migrate(ds, "postgresql");
      assertThat(r.success).isTrue();
      assertThat(r.migrationsExecuted).isPositive();
      assertTables(new JdbcTemplate(ds), "public");
    } finally {
      PostgresTestDatabase.drop(db);
    }
  }

  @Test
  void migrates_an_empty_h2_database() {
    var ds = new DriverManagerDataSource("jdbc:h2:mem:migration;DB_CLOSE_DELAY=-1", "sa", "");
    MigrateResult r = migrate(ds, "h2");
    assertThat(r.success).isTrue();
    assertTables(new JdbcTemplate(ds), "PUBLIC");
  }

  private static MigrateResult migrate(DriverManagerDataSource ds, String vendor) {
    return Flyway.configure()
        .dataSource(ds)
        .locations("classpath:db/migration/" + vendor)
        .load()
        .migrate();
  }

  private static void assertTables(JdbcTemplate jdbc, String schema) {
    for (String t : TABLES) {
      Integer n =
          jdbc.queryForObject(
              "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = ? AND LOWER(table_name) = ?",
              Integer.class,
              schema,
              t);
      assertThat(n).as(t).isEqualTo(1);
    }
  }
}
