package dev.ums.observability;

import static dev.ums.support.JdbcTime.ts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.ledger.MessageStatus;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

/** The admin stats SQL also runs on H2, the embedded default (no Spring context needed). */
class StatsSqlOnH2Test {

  JdbcTemplate jdbc;
  StatsRepository repo;
  Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);

  @BeforeEach
  void migrate() {
    var ds =
        new DriverManagerDataSource(
            "jdbc:h2:mem:stats" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1", "sa", "");
    Flyway.configure().dataSource(ds).locations("classpath:db/migration/h2").load().migrate();
    jdbc = new JdbcTemplate(ds);
    repo = new StatsRepository(jdbc);
  }

  UUID message(String status, Instant updatedAt) {
    UUID id = UUID.randomUUID();
    jdbc.update(
        "INSERT INTO message (id, client_id, status, content, recipient_count, created_at,"
            + " updated_at, sent_at, last_error_class) VALUES (?, 'default', ?, ?, 1, ?, ?, ?, ?)",
        id,
        status,
        "{}".getBytes(StandardCharsets.UTF_8),
        ts(updatedAt),
        ts(updatedAt),
        status.equals("SENT") ? ts(updatedAt) : null,
        status.equals("FAILED") ? "PERMANENT" : null);
    return id;
  }

  void outbox(UUID id, Instant due, boolean claimed) {
    jdbc.update(
        "INSERT INTO outbox (message_id, next_attempt_at, attempts, claim_token) VALUES (?, ?, 0, ?)",
        id,
        ts(due),
        claimed ? UUID.randomUUID() : null);
  }

  @Test
  void counts_statuses_recent_outcomes_and_the_oldest_due_unclaimed_row_on_h2() {
    outbox(message("QUEUED", now.minusSeconds(5)), now.minusSeconds(5), false);
    outbox(message("QUEUED", now), now.plusSeconds(3600), false);
    outbox(message("SENDING", now.minusSeconds(60)), now.minusSeconds(60), true);
    message("SENT", now.minusSeconds(60));
    message("SENT", now.minusSeconds(7200));
    message("FAILED", now.minusSeconds(30));

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
    outbox(message("QUEUED", now), now.plusSeconds(60), false);

    assertThat(repo.stats(now, now.minusSeconds(3600)).oldestPendingAgeSeconds()).isZero();
  }
}
