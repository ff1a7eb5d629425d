package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.UmsIntegrationTest;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** The {@code priority} field at intake, and the delivery view an admin reads. */
@UmsIntegrationTest
class PriorityTest {

  @Autowired Http http;
  @Autowired Db db;

  int priorityOf(String id) {
    return db.jdbc()
        .queryForObject(
            "SELECT o.priority FROM outbox o JOIN message m ON m.id = o.message_id"
                + " WHERE m.id = ?::uuid AND m.priority = o.priority",
            Integer.class,
            id);
  }

  @Test
  void a_single_message_is_normal_unless_it_says_otherwise_and_a_batch_is_bulk() {
    String normal =
        http.postJson("/api/messages", "{\"to\": [\"a@example.com\"], \"text\": \"x\"}")
            .json()
            .get("id")
            .asString();
    String high =
        http.postJson(
                "/api/messages",
                "{\"to\": [\"a@example.com\"], \"text\": \"x\", \"priority\": \"HIGH\"}")
            .json()
            .get("id")
            .asString();
    JsonNode batch =
        http.postJson(
                "/api/messages/batch",
                "{\"messages\": [{\"to\": [\"a@example.com\"], \"text\": \"x\"},"
                    + " {\"to\": [\"a@example.com\"], \"text\": \"x\", \"priority\": \"normal\"}]}")
            .json();

    assertThat(priorityOf(normal)).isEqualTo(1);
    assertThat(priorityOf(high)).isZero();
    assertThat(priorityOf(batch.get("messages").get(0).get("id").asString())).isEqualTo(2);
    assertThat(priorityOf(batch.get("messages").get(1).get("id").asString())).isEqualTo(1);
  }

  @Test
  void an_unknown_priority_is_refused_against_its_field() {
    Http.Answer a =
        http.postJson(
            "/api/messages",
            "{\"to\": [\"a@example.com\"], \"text\": \"x\", \"priority\": \"urgent\"}");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.body()).contains("priority").contains("high, normal, bulk");
    assertThat(db.count("message")).isZero();
  }

  @Test
  void the_delivery_view_counts_waiting_mail_per_priority_and_client_for_admins_only() {
    http.postJson(
        "/api/messages", "{\"to\": [\"a@example.com\"], \"text\": \"x\", \"priority\": \"high\"}");
    http.postJson("/api/messages", "{\"to\": [\"a@example.com\"], \"text\": \"x\"}");

    Http.Answer view = http.get("/api/admin/delivery");
    assertThat(view.status()).isEqualTo(200);
    JsonNode v = view.json();
    assertThat(v.get("waitingByPriority").get("high").asLong()).isEqualTo(1);
    assertThat(v.get("waitingByPriority").get("normal").asLong()).isEqualTo(1);
    assertThat(v.get("waitingByPriority").get("bulk").asLong()).isZero();
    assertThat(v.get("waitingByRule").get("default").asLong()).isEqualTo(2);
    assertThat(v.get("backlogByClient").size()).isEqualTo(1);
    assertThat(v.get("rules").get(0).get("name").asString()).isEqualTo("default");

    Http.Answer key =
        http.postJson("/api/admin/keys", "{\"clientId\": \"shop\", \"role\": \"SENDER\"}");
    assertThat(http.as(key.json().get("key").asString()).get("/api/admin/delivery").status())
        .isEqualTo(403);
  }
}
