package dev.ums.observability;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.Executor;
import javax.sql.DataSource;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code db}, in place of Spring Boot's own (same name, so the readiness group still includes it):
 * UP when a pooled connection runs {@code SELECT 1}; DOWN when it fails, or when no answer comes
 * within {@code answerWithin}.
 *
 * <p>Why a query and not {@link Connection#isValid}: after a fatal error (an out-of-memory error
 * while writing, for one) the embedded H2 closes its store under the open sessions. Every statement
 * then fails with "The database has been closed", yet {@code isValid} still answers true, since H2
 * only checks that the session is open; the pool keeps handing those connections out and the
 * instance answered 503 to every call while it reported itself ready. A statement goes through the
 * store and fails there.
 *
 * <p>Why not Spring Boot's: it borrows a connection from the pool, and while the database is
 * unreachable the pool makes each borrower wait its whole {@code connection-timeout} (3 s in
 * application.yml) before failing, and its {@code isValid(0)} has no timeout at all. So readiness
 * answered only after the orchestrator's probe had given up (Kubernetes waits 1 s by default).
 * Lowering the pool's timeout would make real requests fail sooner under a short burst; instead
 * this check runs on its own thread ({@link SingleFlight}: one at a time, however many probes ask)
 * and the probe waits for it at most {@code answerWithin}. A check that takes longer still ends by
 * the pool's timeout.
 *
 * <p>Failure mode to know: a pool so busy that no connection frees up within {@code answerWithin}
 * also reads as not ready. Such an instance could not answer intake promptly either.
 */
final class DatabaseHealth implements HealthIndicator {

  /** Bounds the query, which otherwise waits forever on a silent database. */
  private static final int QUERY_WITHIN_SECONDS = 2;

  static final String QUERY = "SELECT 1";

  private final DataSource dataSource;
  private final Duration answerWithin;
  private final SingleFlight<Health> checks;

  DatabaseHealth(DataSource dataSource, Duration answerWithin, Executor checks) {
    this.dataSource = dataSource;
    this.answerWithin = answerWithin;
    this.checks = new SingleFlight<>(checks, this::check);
  }

  @Override
  public Health health() {
    return checks
        .await(answerWithin)
        .orElseGet(
            () ->
                Health.down()
                    .withDetail("error", "no answer within " + answerWithin.toMillis() + " ms")
                    .build());
  }

  private Health check() {
    try (Connection c = dataSource.getConnection();
        Statement s = c.createStatement()) {
      s.setQueryTimeout(QUERY_WITHIN_SECONDS);
      try (ResultSet r = s.executeQuery(QUERY)) {
        if (!r.next() || r.getInt(1) != 1) {
          return Health.down().withDetail("error", "unexpected answer to " + QUERY).build();
        }
      }
      return Health.up()
          .withDetail("database", c.getMetaData().getDatabaseProductName())
          .withDetail("validationQuery", QUERY)
          .build();
    } catch (SQLException | RuntimeException e) {
      // The class only: driver messages name hosts and ports.
      return Health.down().withDetail("error", e.getClass().getSimpleName()).build();
    }
  }
}
