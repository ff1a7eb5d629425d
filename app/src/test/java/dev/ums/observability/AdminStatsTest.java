package dev.ums.observability;

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
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@UmsIntegrationTest
class AdminStatsTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  @Autowired ContentCipher cipher;
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

  @Test
  void stats_count_statuses_recent_outcomes_backlog_age_and_outbox_size() {
    Instant now = Instant.now();
    // Claims take every due row on the way (ManualDispatch): the queued ones come last.
    dispatch.claim(acceptedAt(now.minusSeconds(600), "d@example.com"));
    sent(now.minus(Duration.ofMinutes(10)));
    sent(now.minus(Duration.ofHours(2)));
    UUID recent = dead.accept("e@example.com");
    dead.fail(recent, now.minus(Duration.ofMinutes(5)), "PERMANENT", 550, 2);
    UUID old = dead.accept("f@example.com");
    dead.fail(old, now.minus(Duration.ofHours(3)), "TRANSIENT", 451, 3);
    acceptedAt(now.minusSeconds(120), "a@example.com");
    dead.accept("b@example.com");
    dead.accept(List.of("c@example.com"), now.plus(Duration.ofDays(1)));
    UUID cancelled = dead.accept("g@example.com");
    assertThat(http.postJson("/api/messages/" + cancelled + "/cancel", "").status()).isEqualTo(200);
    assertThat(http.postJson("/api/suppressions", "{\"address\": \"s@example.com\"}").status())
        .isEqualTo(201);
    assertThat(
            http.postJson("/api/messages", "{\"to\": [\"s@example.com\"], \"text\": \"hi\"}")
                .json()
                .get("status")
                .asString())
        .isEqualTo("SUPPRESSED");

    Http.Answer a = http.get("/api/admin/stats");

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode s = a.json();
    JsonNode m = s.get("messages");
    assertThat(m.get("QUEUED").asLong()).isEqualTo(3);
    assertThat(m.get("SENDING").asLong()).isEqualTo(1);
    assertThat(m.get("SENT").asLong()).isEqualTo(2);
    assertThat(m.get("FAILED").asLong()).isEqualTo(2);
    assertThat(m.get("CANCELLED").asLong()).isEqualTo(1);
    assertThat(m.get("SUPPRESSED").asLong()).isEqualTo(1);
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
