package dev.ums.failure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.ManualDispatch;
import dev.ums.testing.UmsIntegrationTest;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Dead letters show their message's tags and can be listed by them. */
@UmsIntegrationTest
class TaggedDeadLettersTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired ManualDispatch manual;
  DeadLetters dead;

  @BeforeEach
  void helper() {
    dead = new DeadLetters(http, db, manual);
  }

  UUID failed(String tags) {
    Http.Answer a =
        http.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"text\": \"t\", \"tags\": " + tags + "}");
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    UUID id = UUID.fromString(a.json().get("id").asString());
    dead.fail(id, Instant.now().truncatedTo(ChronoUnit.MICROS), "PERMANENT", 550, 1);
    return id;
  }

  static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(i -> ids.add(i.get("id").asString()));
    return ids;
  }

  @Test
  void lists_dead_letters_by_every_given_tag() {
    UUID receipt = failed("{\"kind\": \"receipt\", \"shop\": \"eu\"}");
    UUID receiptUs = failed("{\"kind\": \"receipt\", \"shop\": \"us\"}");
    failed("{\"kind\": \"reset\"}");

    JsonNode page = http.get("/api/admin/dead-letters?tag=kind:receipt").json();
    assertThat(ids(page)).containsExactlyInAnyOrder(receipt.toString(), receiptUs.toString());
    assertThat(page.get("items").get(0).get("tags").get("kind").asString()).isEqualTo("receipt");
    assertThat(ids(http.get("/api/admin/dead-letters?tag=kind:receipt&tag=shop:eu").json()))
        .containsExactly(receipt.toString());
    assertThat(http.get("/api/admin/dead-letters?tag=kind:nothing").json().get("items")).isEmpty();
    Http.Answer bad = http.get("/api/admin/dead-letters?tag=KIND:x");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("errors").get(0).get("field").asString()).isEqualTo("tag");
  }
}
