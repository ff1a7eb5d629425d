package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@UmsIntegrationTest
class MessageIntakeTest {

  static final String MAIL =
      """
      {"from": "Shop <shop@example.com>", "to": ["ann@example.com"], "cc": ["bob@example.org"],
       "subject": "Your order", "text": "Thanks!", "html": "<p>Thanks!</p>",
       "headers": {"X-Order": "42"}, "metadata": {"order": "42"}}
      """;

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;

  @Test
  void accepts_a_message_and_commits_message_outbox_and_key_in_one_transaction() {
    Answer a = http.postJson("/api/messages", MAIL, "Idempotency-Key", "order-42");

    assertThat(a.status()).isEqualTo(202);
    JsonNode body = a.json();
    UUID id = UUID.fromString(body.get("id").asString());
    assertThat(id.version()).isEqualTo(7);
    assertThat(body.get("status").asString()).isEqualTo("QUEUED");
    assertThat(Instant.parse(body.get("createdAt").asString())).isNotNull();
    assertThat(a.header("Location")).isEqualTo("/api/messages/" + id);
    assertThat(a.header("Idempotency-Replay")).isNull();

    assertThat(db.count("message")).isEqualTo(1);
    assertThat(db.count("outbox")).isEqualTo(1);
    assertThat(db.count("idempotency_record")).isEqualTo(1);
    // The same PostgreSQL transaction id wrote all three rows.
    var jdbc = db.jdbc();
    String m = jdbc.queryForObject("SELECT xmin::text FROM message WHERE id = ?", String.class, id);
    String o =
        jdbc.queryForObject("SELECT xmin::text FROM outbox WHERE message_id = ?", String.class, id);
    String k =
        jdbc.queryForObject(
            "SELECT xmin::text FROM idempotency_record WHERE idem_key = 'order-42'", String.class);
    assertThat(o).isEqualTo(m);
    assertThat(k).isEqualTo(m);
  }

  @Test
  void status_shows_queued_message_with_its_next_attempt() {
    Answer a = http.postJson("/api/messages", MAIL);
    String id = a.json().get("id").asString();

    Answer g = http.get("/api/messages/" + id);

    assertThat(g.status()).isEqualTo(200);
    JsonNode v = g.json();
    assertThat(v.get("id").asString()).isEqualTo(id);
    assertThat(v.get("attempts").asInt()).isZero();
    assertThat(v.get("createdAt").asString()).isEqualTo(a.json().get("createdAt").asString());
    assertThat(v.get("nextAttemptAt").asString()).isEqualTo(v.get("createdAt").asString());
    assertThat(v.get("sentAt").isNull()).isTrue();
    assertThat(g.body()).doesNotContain("ann@example.com").doesNotContain("Your order");
  }

  @Test
  void schedules_a_message_with_send_at_in_the_future() {
    Instant at =
        Instant.now().plus(Duration.ofDays(2)).truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    String body =
        MAIL.replace(
            "\"subject\"",
            "\"sendAt\": \"" + at.atOffset(java.time.ZoneOffset.ofHours(2)) + "\", \"subject\"");

    Answer a = http.postJson("/api/messages", body);

    assertThat(a.status()).isEqualTo(202);
    OffsetDateTime next =
        db.jdbc().queryForObject("SELECT next_attempt_at FROM outbox", OffsetDateTime.class);
    assertThat(next.toInstant()).isEqualTo(at);
    JsonNode v = http.get("/api/messages/" + a.json().get("id").asString()).json();
    assertThat(Instant.parse(v.get("sendAt").asString())).isEqualTo(at);
  }

  @Test
  void replays_the_original_answer_for_the_same_key_and_body() {
    Answer first = http.postJson("/api/messages", MAIL, "Idempotency-Key", "k-1");
    // Same request, different formatting and field order.
    String reordered =
        """
        {"metadata": {"order": "42"}, "headers": {"X-Order": "42"}, "html": "<p>Thanks!</p>",
         "text": "Thanks!", "subject": "Your order", "cc": ["bob@example.org"],
         "to": ["ann@example.com"], "from": "Shop <shop@example.com>"}
        """;
    Answer again = http.postJson("/api/messages", reordered, "Idempotency-Key", "k-1");
    Answer alias = http.postJson("/api/messages", MAIL, "X-Message-Id", "k-1");

    for (Answer replay : new Answer[] {again, alias}) {
      assertThat(replay.status()).isEqualTo(202);
      assertThat(replay.header("Idempotency-Replay")).isEqualTo("true");
      assertThat(replay.body()).isEqualTo(first.body());
      assertThat(replay.header("Location")).isEqualTo(first.header("Location"));
    }
    assertThat(db.count("message")).isEqualTo(1);
    assertThat(db.count("outbox")).isEqualTo(1);
  }

  @Test
  void refuses_a_reused_key_with_a_different_body_with_422() {
    http.postJson("/api/messages", MAIL, "Idempotency-Key", "k-2");

    Answer a =
        http.postJson(
            "/api/messages", MAIL.replace("Thanks!", "Other text"), "Idempotency-Key", "k-2");

    assertThat(a.status()).isEqualTo(422);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.json().get("type").asString()).isEqualTo("/problems/idempotency-key-reused");
    assertThat(db.count("message")).isEqualTo(1);
  }

  @Test
  void the_same_key_is_scoped_to_its_endpoint() {
    http.postJson("/api/messages", MAIL, "Idempotency-Key", "k-3");

    Answer a =
        http.postJson(
            "/api/messages/batch", "{\"messages\": [" + MAIL + "]}", "Idempotency-Key", "k-3");

    assertThat(a.status()).isEqualTo(422);
  }

  @Test
  void an_expired_key_may_be_used_again_and_is_purged() {
    http.postJson("/api/messages", MAIL, "Idempotency-Key", "k-4");
    clock.advance(Duration.ofHours(25));

    Answer fresh =
        http.postJson("/api/messages", MAIL.replace("Thanks!", "New"), "Idempotency-Key", "k-4");

    assertThat(fresh.status()).isEqualTo(202);
    assertThat(fresh.header("Idempotency-Replay")).isNull();
    assertThat(db.count("message")).isEqualTo(2);

    http.postJson("/api/messages", MAIL, "Idempotency-Key", "k-5");
    clock.advance(Duration.ofHours(25));
    assertThat(store.purgeExpired()).isEqualTo(2);
    assertThat(db.count("idempotency_record")).isZero();
  }

  @Autowired IdempotencyStore store;

  @Test
  void accepts_a_batch_of_500_in_request_order() {
    StringBuilder sb = new StringBuilder("{\"messages\": [");
    for (int i = 0; i < 500; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"to\": [\"user")
          .append(i)
          .append("@example.com\"], \"subject\": \"n")
          .append(i)
          .append("\", \"text\": \"hi\"}");
    }
    Answer a = http.postJson("/api/messages/batch", sb.append("]}").toString());

    assertThat(a.status()).isEqualTo(202);
    JsonNode items = a.json().get("messages");
    assertThat(items.size()).isEqualTo(500);
    for (int i = 0; i < 500; i++) {
      assertThat(items.get(i).get("index").asInt()).isEqualTo(i);
      assertThat(items.get(i).get("status").asString()).isEqualTo("QUEUED");
    }
    assertThat(db.count("message")).isEqualTo(500);
    assertThat(db.count("outbox")).isEqualTo(500);
  }

  @Test
  void refuses_a_batch_with_two_bad_items_naming_both_and_stores_nothing() {
    String good = "{\"to\": [\"a@example.com\"], \"text\": \"x\"}";
    String body =
        "{\"messages\": ["
            + good
            + ", {\"to\": [\"not an address\"], \"text\": \"x\"}, "
            + good
            + ", {\"to\": [\"b@example.com\"]}]}";

    Answer a = http.postJson("/api/messages/batch", body, "Idempotency-Key", "batch-bad");

    assertThat(a.status()).isEqualTo(400);
    JsonNode errors = a.json().get("errors");
    assertThat(errors.size()).isEqualTo(2);
    assertThat(errors.get(0).get("index").asInt()).isEqualTo(1);
    assertThat(errors.get(0).get("field").asString()).isEqualTo("to[0]");
    assertThat(errors.get(1).get("index").asInt()).isEqualTo(3);
    assertThat(errors.get(1).get("field").asString()).isEqualTo("text");
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void refuses_a_batch_over_the_size_limit() {
    String one = "{\"to\": [\"a@example.com\"], \"text\": \"x\"}";
    String body =
        "{\"messages\": [" + String.join(",", java.util.Collections.nCopies(501, one)) + "]}";

    Answer a = http.postJson("/api/messages/batch", body);

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().get("errors").get(0).get("field").asString()).isEqualTo("messages");
    assertThat(db.intakeRows()).isZero();
  }
}
