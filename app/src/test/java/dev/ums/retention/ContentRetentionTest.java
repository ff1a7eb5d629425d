package dev.ums.retention;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.failure.DeadLetters;
import dev.ums.security.ContentCipher;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.ManualDispatch;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

@UmsIntegrationTest
class ContentRetentionTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired ContentCipher cipher;
  @Autowired TestClock clock;
  @Autowired dev.ums.ledger.Ledger ledger;
  @Autowired ContentRetention defaultRetention;
  @Autowired ManualDispatch dispatch;
  DeadLetters dead;

  @BeforeEach
  void setUp() {
    dead = new DeadLetters(http, db, dispatch);
  }

  /** A message sent at {@code at} on its first attempt, one recipient refused. */
  UUID sent(Instant at) {
    UUID id = dead.accept("s@example.com");
    byte[] refused = cipher.sealRefused(id, "[\"x@example.com\"]".getBytes(StandardCharsets.UTF_8));
    dispatch.sent(id, at, refused);
    return id;
  }

  /** A message accepted at {@code at}, as the clock then read. */
  UUID acceptedAt(Instant at, String to) {
    return clock.at(at, () -> dead.accept(to));
  }

  /** The stored content, decrypted — or the plain {@code {}} marker retention leaves behind. */
  String content(UUID id) {
    byte[] stored =
        db.jdbc().queryForObject("SELECT content FROM message WHERE id = ?", byte[].class, id);
    String raw = new String(stored, StandardCharsets.UTF_8);
    return raw.equals("{}") ? raw : new String(cipher.open(id, stored), StandardCharsets.UTF_8);
  }

  @Test
  void retention_drops_the_content_of_old_sent_messages_but_never_of_failed_ones() {
    Instant now = Instant.now();
    UUID oldSent = sent(now.minus(Duration.ofDays(40)));
    UUID newSent = sent(now.minus(Duration.ofDays(1)));
    UUID oldFailed = acceptedAt(now.minus(Duration.ofDays(41)), "f@example.com");
    dead.fail(oldFailed, now.minus(Duration.ofDays(40)), "PERMANENT", 550, 1);
    UUID queued = dead.accept("q@example.com");
    String queuedContent = content(queued);
    ContentRetention retention =
        new ContentRetention(
            ledger, new RetentionProperties(30, Duration.ofHours(1), 30, 14, 1000), clock);

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
