package dev.ums.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.ledger.FailureClass;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.MessageStatus;
import dev.ums.ledger.NewMessage;
import dev.ums.support.Dialect;
import dev.ums.testing.ManualDispatch;
import dev.ums.testing.TestClock;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.jdbc.datasource.DriverManagerDataSource;
import org.springframework.transaction.support.TransactionTemplate;

/** The admin stats SQL also runs on H2, the embedded default (no Spring context needed). */
class StatsSqlOnH2Test {

  JdbcTemplate jdbc;
  StatsRepository repo;
  Ledger ledger;
  ManualDispatch dispatch;
  Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
  TestClock clock = new TestClock();

  @BeforeEach
  void migrate() {
    var ds =
        new DriverManagerDataSource(
            "jdbc:h2:mem:stats" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    Flyway.configure().dataSource(ds).locations("classpath:db/migration/h2").load().migrate();
    jdbc = new JdbcTemplate(ds);
    repo = new StatsRepository(jdbc);
    ledger =
        new Ledger(
            jdbc, new TransactionTemplate(new DataSourceTransactionManager(ds)), clock, Dialect.H2);
    dispatch = new ManualDispatch(ledger, clock);
  }

  /** A message queued through the ledger at {@code at}, due at {@code sendAt} (null: at once). */
  UUID queued(Instant at, Instant sendAt) {
    UUID id = UUID.randomUUID();
    ledger.enqueue(
        List.of(
            new NewMessage(
                id,
                "default",
                "{}".getBytes(StandardCharsets.UTF_8),
                1,
                new String[0],
                sendAt,
                at)));
    return id;
  }

  @Test
  void counts_statuses_recent_outcomes_and_the_oldest_due_unclaimed_row_on_h2() {
    // A claim takes every due row on the way (ManualDispatch): the queued ones come last.
    dispatch.claim(queued(now.minusSeconds(60), null));
    dispatch.sent(queued(now.minusSeconds(60), null), now.minusSeconds(60), null);
    dispatch.sent(queued(now.minusSeconds(7200), null), now.minusSeconds(7200), null);
    UUID failed = queued(now.minusSeconds(30), null);
    dispatch.deadLetter(failed, now.minusSeconds(30), FailureClass.PERMANENT, 550, 1);
    queued(now.minusSeconds(5), null);
    queued(now, now.plusSeconds(3600));

    AdminStats s = repo.stats(now, now.minusSeconds(3600));

    assertThat(s.messages())
        .containsEntry(MessageStatus.QUEUED, 2L)
        .containsEntry(MessageStatus.SENDING, 1L)
        .containsEntry(MessageStatus.SENT, 2L)
        .containsEntry(MessageStatus.FAILED, 1L)
        .containsEntry(MessageStatus.CANCELLED, 0L);
    assertThat(s.sentLastHour()).isEqualTo(1);
    assertThat(s.deadLetteredLastHour()).isEqualTo(1);
    assertThat(s.unresolvedDeadLetters()).isEqualTo(1);
    // The claimed row is older but not pending; the due one is 5 s old.
    assertThat(s.oldestPendingAgeSeconds()).isEqualTo(5);
    assertThat(s.outboxSize()).isEqualTo(3);
  }

  @Test
  void nothing_due_is_an_age_of_zero() {
    queued(now, now.plusSeconds(60));

    assertThat(repo.stats(now, now.minusSeconds(3600)).oldestPendingAgeSeconds()).isZero();
  }
}
