package dev.ums.failure;

import static dev.ums.support.JdbcTime.ts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.security.ContentCipher;
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
class StatsAndRetentionTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired ContentCipher cipher;
  @Autowired TestClock clock;
  @Autowired dev.ums.ledger.Ledger ledger;
  @Autowired ContentRetention defaultRetention;
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

  /** The stored content, decrypted — or the plain {@code {}} marker retention leaves behind. */
  String content(UUID id) {
    byte[] stored =
        db.jdbc().queryForObject("SELECT content FROM message WHERE id = ?", byte[].class, id);
    String raw = new String(stored, StandardCharsets.UTF_8);
    return raw.equals("{}") ? raw : new String(cipher.open(id, stored), StandardCharsets.UTF_8);
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

  @Test
  void retention_drops_the_content_of_old_sent_messages_but_never_of_failed_ones() {
    Instant now = Instant.now();
    UUID oldSent = sent(now.minus(Duration.ofDays(40)));
    UUID newSent = sent(now.minus(Duration.ofDays(1)));
    UUID oldFailed = dead.accept("f@example.com");
    dead.fail(oldFailed, now.minus(Duration.ofDays(40)), "PERMANENT", 550, 1);
    db.jdbc()
        .update(
            "UPDATE message SET created_at = ? WHERE id = ?",
            ts(now.minus(Duration.ofDays(41))),
            oldFailed);
    UUID queued = dead.accept("q@example.com");
    String queuedContent = content(queued);
    ContentRetention retention =
        new ContentRetention(ledger, new RetentionProperties(30, Duration.ofHours(1)), clock);

    assertThat(retention.dropExpiredContent()).isEqualTo(1);

    assertThat(content(oldSent)).isEqualTo("{}");
    var row =
        db.jdbc()
            .queryForMap(
                "SELECT status, attempts, sent_at, refused_recipients, content_dropped_at"
                    + " FROM message WHERE id = ?",
                oldSent);
    assertThat(row.get("status")).isEqualTo("SENT");
    assertThat(row.get("attempts")).isEqualTo(1);
    assertThat(row.get("sent_at")).isNotNull();
    assertThat(row.get("refused_recipients")).isNull();
    assertThat(row.get("content_dropped_at")).isNotNull();
    assertThat(content(newSent)).contains("s@example.com");
    assertThat(content(oldFailed)).contains("f@example.com");
    assertThat(content(queued)).isEqualTo(queuedContent);
    assertThat(http.get("/api/messages/" + oldSent).json().get("status").asString())
        .isEqualTo("SENT");
    assertThat(db.count("message")).isEqualTo(4);

    assertThat(retention.dropExpiredContent()).isZero();
    clock.advance(Duration.ofDays(30));
    assertThat(retention.dropExpiredContent()).isEqualTo(1);
    assertThat(content(newSent)).isEqualTo("{}");
    assertThat(content(oldFailed)).contains("f@example.com");
  }

  @Test
  void retention_keeps_content_forever_by_default() {
    UUID old = sent(Instant.now().minus(Duration.ofDays(3650)));

    assertThat(defaultRetention.dropExpiredContent()).isZero();
    assertThat(content(old)).contains("s@example.com");
  }
}
