package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.failure.DeadLetters;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

@UmsIntegrationTest
class CancelTest {

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

  @Test
  void cancels_a_queued_message_and_removes_its_outbox_row() {
    UUID id = dead.accept("ann@example.com");

    Http.Answer a = http.postJson("/api/messages/" + id + "/cancel", "");

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(a.json().get("status").asString()).isEqualTo("CANCELLED");
    assertThat(a.json().get("nextAttemptAt").isNull()).isTrue();
    assertThat(dead.status(id)).isEqualTo("CANCELLED");
    assertThat(dead.outboxRows(id)).isZero();
    assertThat(http.get("/api/messages/" + id).json().get("status").asString())
        .isEqualTo("CANCELLED");
  }

  @Test
  void admin_cancels_a_scheduled_message() {
    UUID id = dead.accept(List.of("ann@example.com"), Instant.now().plus(Duration.ofDays(2)));

    Http.Answer a = http.postJson("/api/admin/messages/" + id + "/cancel", "");

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    assertThat(dead.status(id)).isEqualTo("CANCELLED");
    assertThat(dead.outboxRows(id)).isZero();
  }

  @Test
  void a_claimed_message_is_not_cancellable_and_keeps_its_outbox_row() {
    UUID id = dead.accept("ann@example.com");
    db.jdbc()
        .update(
            "UPDATE outbox SET claim_token = ?, claimed_by = 'd1', lease_until = ?,"
                + " attempts = 1 WHERE message_id = ?",
            UUID.randomUUID(),
            dev.ums.support.JdbcTime.ts(Instant.now().plusSeconds(60)),
            id);
    db.jdbc().update("UPDATE message SET status = 'SENDING' WHERE id = ?", id);

    Http.Answer own = http.postJson("/api/messages/" + id + "/cancel", "");
    Http.Answer admin = http.postJson("/api/admin/messages/" + id + "/cancel", "");

    assertThat(own.status()).isEqualTo(409);
    assertThat(own.contentType()).startsWith("application/problem+json");
    assertThat(own.json().get("type").asString()).isEqualTo("/problems/not-cancellable");
    assertThat(own.json().get("status").asInt()).isEqualTo(409);
    assertThat(own.json().get("currentStatus").asString()).isEqualTo("SENDING");
    assertThat(admin.status()).isEqualTo(409);
    assertThat(dead.status(id)).isEqualTo("SENDING");
    assertThat(dead.outboxRows(id)).isEqualTo(1);
  }

  @Test
  void sent_failed_and_cancelled_messages_are_not_cancellable() {
    UUID sent = dead.accept("a@example.com");
    db.jdbc().update("DELETE FROM outbox WHERE message_id = ?", sent);
    db.jdbc().update("UPDATE message SET status = 'SENT', sent_at = updated_at WHERE id = ?", sent);
    UUID failed = dead.failed(Instant.now(), "b@example.com");
    UUID cancelled = dead.accept("c@example.com");
    assertThat(http.postJson("/api/messages/" + cancelled + "/cancel", "").status()).isEqualTo(200);

    for (UUID id : List.of(sent, failed, cancelled)) {
      Http.Answer a = http.postJson("/api/messages/" + id + "/cancel", "");
      assertThat(a.status()).as(a.body()).isEqualTo(409);
      assertThat(a.json().get("type").asString()).isEqualTo("/problems/not-cancellable");
    }
    assertThat(
            http.postJson("/api/messages/" + sent + "/cancel", "")
                .json()
                .get("currentStatus")
                .asString())
        .isEqualTo("SENT");
    assertThat(dead.status(sent)).isEqualTo("SENT");
    assertThat(dead.status(failed)).isEqualTo("FAILED");
  }

  @Test
  void cancelling_an_unknown_message_is_a_404_and_a_malformed_id_a_400() {
    assertThat(http.postJson("/api/messages/" + UUID.randomUUID() + "/cancel", "").status())
        .isEqualTo(404);
    assertThat(http.postJson("/api/admin/messages/" + UUID.randomUUID() + "/cancel", "").status())
        .isEqualTo(404);
    assertThat(http.postJson("/api/messages/nope/cancel", "").status()).isEqualTo(400);
  }

  @Test
  void a_client_cannot_cancel_another_clients_message() {
    UUID id = dead.accept("ann@example.com");
    db.jdbc().update("UPDATE message SET client_id = 'someone-else' WHERE id = ?", id);

    String senderKey =
        http.postJson("/api/admin/keys", "{\"clientId\": \"shop\", \"role\": \"SENDER\"}")
            .json()
            .get("key")
            .asString();

    assertThat(http.as(senderKey).postJson("/api/messages/" + id + "/cancel", "").status())
        .isEqualTo(404);
    assertThat(dead.status(id)).isEqualTo("QUEUED");
    assertThat(http.as(senderKey).postJson("/api/admin/messages/" + id + "/cancel", "").status())
        .isEqualTo(403);
    assertThat(http.postJson("/api/admin/messages/" + id + "/cancel", "").status()).isEqualTo(200);
  }
}
