package dev.ums.observability;

import static dev.ums.support.JdbcTime.ts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.failure.DeadLetters;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@UmsIntegrationTest
class AdminStatsTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  DeadLetters dead;

  @BeforeEach
  void clean() {
    db.clean();
    clock.reset();
    dead = new DeadLetters(http, db);
  }

  /** Leave no QUEUED rows for a dispatcher context that may start next on the same database. */
  @AfterEach
  void cleanUp() {
    db.clean();
    clock.reset();
  }

  UUID sent(Instant at) {
    UUID id = dead.accept("s@example.com");
    db.jdbc().update("DELETE FROM outbox WHERE message_id = ?", id);
    db.jdbc()
        .update(
            "UPDATE message SET status = 'SENT', attempts = 1, sent_at = ?, updated_at = ?,"
                + " refused_recipients = ? WHERE id = ?",
            ts(at),
            ts(at),
            "[\"x@example.com\"]".getBytes(StandardCharsets.UTF_8),
            id);
    return id;
  }

  @Test
  void stats_count_statuses_recent_outcomes_backlog_age_and_outbox_size() {
    Instant now = Instant.now();
    UUID due = dead.accept("a@example.com");
    db.jdbc()
        .update(
            "UPDATE outbox SET next_attempt_at = ? WHERE message_id = ?",
            ts(now.minusSeconds(120)),
            due);
    dead.accept("b@example.com");
    dead.accept(List.of("c@example.com"), now.plus(Duration.ofDays(1)));
    UUID sending = dead.accept("d@example.com");
    db.jdbc()
        .update(
            "UPDATE outbox SET claim_token = ?, next_attempt_at = ? WHERE message_id = ?",
            UUID.randomUUID(),
            ts(now.minusSeconds(600)),
            sending);
    db.jdbc().update("UPDATE message SET status = 'SENDING' WHERE id = ?", sending);
    sent(now.minus(Duration.ofMinutes(10)));
    sent(now.minus(Duration.ofHours(2)));
    UUID recent = dead.accept("e@example.com");
    dead.fail(recent, now.minus(Duration.ofMinutes(5)), "PERMANENT", 550, 2);
    UUID old = dead.accept("f@example.com");
    dead.fail(old, now.minus(Duration.ofHours(3)), "TRANSIENT", 451, 3);
    UUID cancelled = dead.accept("g@example.com");
    assertThat(http.postJson("/api/messages/" + cancelled + "/cancel", "").status()).isEqualTo(200);

    Http.Answer a = http.get("/api/admin/stats");

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode s = a.json();
    JsonNode m = s.get("messages");
    assertThat(m.get("QUEUED").asLong()).isEqualTo(3);
    assertThat(m.get("SENDING").asLong()).isEqualTo(1);
    assertThat(m.get("SENT").asLong()).isEqualTo(2);
    assertThat(m.get("FAILED").asLong()).isEqualTo(2);
    assertThat(m.get("CANCELLED").asLong()).isEqualTo(1);
    assertThat(s.get("sentLastHour").asLong()).isEqualTo(1);
    assertThat(s.get("failedAttemptsLastHour").asLong()).isEqualTo(2);
    assertThat(s.get("deadLetteredLastHour").asLong()).isEqualTo(1);
    assertThat(s.get("unresolvedDeadLetters").asLong()).isEqualTo(2);
    // The claimed row is older but is not pending; the due one is 120 s old.
    assertThat(s.get("oldestPendingAgeSeconds").asLong()).isBetween(119L, 150L);
    assertThat(s.get("outboxSize").asLong()).isEqualTo(4);
    assertThat(s.get("at").isNull()).isFalse();
  }

  @Test
  void stats_of_an_empty_service_are_zero() {
    JsonNode s = http.get("/api/admin/stats").json();
    assertThat(s.get("messages").get("QUEUED").asLong()).isZero();
    assertThat(s.get("oldestPendingAgeSeconds").asLong()).isZero();
    assertThat(s.get("outboxSize").asLong()).isZero();
  }
}
