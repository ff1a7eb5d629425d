package dev.ums.failure;

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
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The failure SQL also runs on H2, the embedded default (no Spring context needed). */
class FailureSqlOnH2Test {

  JdbcTemplate jdbc;
  FailureRepository repo;
  Ledger ledger;
  ManualDispatch dispatch;
  Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
  TestClock clock = new TestClock();

  @BeforeEach
  void migrate() {
    var ds =
        new DriverManagerDataSource(
            "jdbc:h2:mem:failure" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    Flyway.configure().dataSource(ds).locations("classpath:db/migration/h2").load().migrate();
    jdbc = new JdbcTemplate(ds);
    repo = new FailureRepository(jdbc, Dialect.H2);
    ledger =
        new Ledger(
            jdbc,
            new org.springframework.transaction.support.TransactionTemplate(
                new org.springframework.jdbc.datasource.DataSourceTransactionManager(ds)),
            clock,
            Dialect.H2);
    dispatch = new ManualDispatch(ledger, clock);
  }

  /**
   * A message to a@example.com, queued at {@code at} through the ledger, its blind index holding
   * "all" and the first eight characters of its id.
   */
  UUID queued(Instant at) {
    UUID id = UUID.randomUUID();
    ledger.enqueue(
        List.of(
            new NewMessage(
                id,
                "default",
                "{\"to\":[\"a@example.com\"]}".getBytes(StandardCharsets.UTF_8),
                1,
                new String[] {"all", id.toString().substring(0, 8)},
                null,
                at)));
    return id;
  }

  UUID failed(Instant at) {
    UUID id = queued(at);
    dispatch.deadLetter(id, at, FailureClass.PERMANENT, 550, 1);
    return id;
  }

  UUID sent(Instant at) {
    UUID id = queued(at);
    dispatch.sent(id, at, null);
    return id;
  }

  @Test
  void lists_redrives_resolves_cancels_and_drops_content_on_h2() {
    UUID a = failed(now.minusSeconds(2));
    UUID b = failed(now.minusSeconds(1));
    UUID oldSent = sent(now.minusSeconds(86_400 * 40));
    UUID queued = queued(now.minusSeconds(5));

    var all =
        new DeadLetterFilter(null, null, dev.ums.ledger.FailureClass.PERMANENT, null, false, null);
    var where = repo.where(all);
    var first = repo.scanNewestFirst(where, null, 1);
    assertThat(first).extracting(DeadLetter::id).containsExactly(b);
    var last = first.get(0);
    assertThat(repo.scanNewestFirst(where, new Cursor(last.updatedAt(), last.id()), 5))
        .extracting(DeadLetter::id)
        .containsExactly(a);
    assertThat(repo.scanById(where, null, 5)).hasSize(2);
    var byDigest =
        new DeadLetterFilter(
            null, null, null, List.of("all", a.toString().substring(0, 8)), false, null);
    assertThat(repo.scanById(repo.where(byDigest), null, 5))
        .as(
            jdbc.queryForList(
                        "SELECT CAST(recipient_digests AS VARCHAR) || status FROM message",
                        String.class)
                    .toString()
                + repo.where(byDigest))
        .extracting(DeadLetter::id)
        .containsExactly(a);

    assertThat(ledger.resolve(a, "ops", "handled", now)).isTrue();
    assertThat(ledger.resolve(a, "ops", "again", now)).isFalse();
    assertThat(ledger.redrive(List.of(a, b, queued), false, now)).isEqualTo(1);
    assertThat(ledger.redrive(List.of(a, b, queued), true, now)).isEqualTo(1);
    assertThat(ledger.redrive(List.of(a, b), true, now)).isZero();
    assertThat(repo.status(a, null)).contains(MessageStatus.QUEUED);
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox", Integer.class)).isEqualTo(3);

    assertThat(ledger.cancel(queued, "other", now)).isFalse();
    assertThat(ledger.cancel(queued, "default", now)).isTrue();
    assertThat(repo.status(queued, null)).contains(MessageStatus.CANCELLED);

    assertThat(ledger.dropContent(now.minusSeconds(86_400 * 30), "{}".getBytes(), now, 10))
        .isEqualTo(1);
    assertThat(ledger.dropContent(now.minusSeconds(86_400 * 30), "{}".getBytes(), now, 10))
        .isZero();
    assertThat(
            new String(
                jdbc.queryForObject(
                    "SELECT content FROM message WHERE id = ?", byte[].class, oldSent),
                StandardCharsets.UTF_8))
        .isEqualTo("{}");
  }
}
