package dev.ums.failure;

import static dev.ums.support.JdbcTime.ts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.ledger.Ledger;
import dev.ums.ledger.MessageStatus;
import dev.ums.support.Dialect;
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
  Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

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
            java.time.Clock.fixed(now, java.time.ZoneOffset.UTC),
            Dialect.H2);
  }

  UUID message(String status, Instant updatedAt, boolean outbox) {
    UUID id = UUID.randomUUID();
    jdbc.update(
        "INSERT INTO message (id, client_id, status, content, recipient_count, created_at,"
            + " updated_at, sent_at, last_error_class, recipient_digests)"
            + " VALUES (?, 'default', ?, ?, 1, ?, ?, ?, ?, ARRAY['all', CAST(? AS VARCHAR(32))])",
        id,
        status,
        "{\"to\":[\"a@example.com\"]}".getBytes(StandardCharsets.UTF_8),
        ts(updatedAt),
        ts(updatedAt),
        status.equals("SENT") ? ts(updatedAt) : null,
        status.equals("FAILED") ? "PERMANENT" : null,
        id.toString().substring(0, 8));
    if (outbox) {
      jdbc.update(
          "INSERT INTO outbox (message_id, next_attempt_at, attempts) VALUES (?, ?, 0)",
          id,
          ts(updatedAt));
    }
    return id;
  }

  @Test
  void lists_redrives_resolves_cancels_and_drops_content_on_h2() {
    UUID a = message("FAILED", now.minusSeconds(2), false);
    UUID b = message("FAILED", now.minusSeconds(1), false);
    UUID queued = message("QUEUED", now.minusSeconds(5), true);
    UUID oldSent = message("SENT", now.minusSeconds(86_400 * 40), false);

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
