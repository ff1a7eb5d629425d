package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.ledger.Ledger;
import dev.ums.security.RecipientIndex;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.UmsIntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@UmsIntegrationTest
class RecipientLookupTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired RecipientIndex index;
  @Autowired Ledger ledger;

  private UUID send(Http as, String fields) {
    Http.Answer a =
        as.postJson("/api/messages", "{" + fields + ", \"subject\": \"s\", \"text\": \"t\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    return UUID.fromString(a.json().get("id").asString());
  }

  private String senderKey(String client) {
    Http.Answer a =
        http.postJson(
            "/api/admin/keys", "{\"clientId\": \"" + client + "\", \"role\": \"SENDER\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    return a.json().get("key").asString();
  }

  private static List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(i -> ids.add(i.get("message").get("id").asString()));
    return ids;
  }

  @Test
  void finds_a_recipients_messages_across_clients_in_to_cc_or_bcc_newest_first() {
    Http shop = http.as(senderKey("shop-" + UUID.randomUUID().toString().substring(0, 8)));
    UUID inTo = send(shop, "\"to\": [\"Ann <Ann@Example.com>\"]");
    UUID other = send(http, "\"to\": [\"bob@example.com\"]");
    UUID inCc = send(http, "\"to\": [\"bob@example.org\"], \"cc\": [\"ann@example.com\"]");
    UUID inBcc = send(shop, "\"to\": [\"carl@example.org\"], \"bcc\": [\"ANN@example.COM\"]");

    JsonNode page = http.get("/api/admin/messages?recipient=ann@example.com").json();
    assertThat(ids(page)).containsExactly(inBcc.toString(), inCc.toString(), inTo.toString());
    assertThat(page.get("items").get(0).get("clientId").asString()).startsWith("shop-");
    assertThat(ids(http.get("/api/admin/messages?domain=@EXAMPLE.com").json()))
        .containsExactly(inBcc.toString(), inCc.toString(), other.toString(), inTo.toString());
    assertThat(
            ids(
                http.get("/api/admin/messages?recipient=bob@example.org&domain=example.com")
                    .json()))
        .containsExactly(inCc.toString());
    assertThat(ids(http.get("/api/admin/messages?recipient=nobody@example.com").json())).isEmpty();
  }

  @Test
  void pages_with_a_cursor() {
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      sent.add(0, send(http, "\"to\": [\"pager@example.net\"]").toString());
    }
    JsonNode first = http.get("/api/admin/messages?recipient=pager@example.net&limit=2").json();
    JsonNode second =
        http.get(
                "/api/admin/messages?recipient=pager@example.net&limit=2&cursor="
                    + first.get("next").asString())
            .json();
    JsonNode third =
        http.get(
                "/api/admin/messages?recipient=pager@example.net&limit=2&cursor="
                    + second.get("next").asString())
            .json();
    List<String> all = new ArrayList<>(ids(first));
    all.addAll(ids(second));
    all.addAll(ids(third));
    assertThat(all).containsExactlyElementsOf(sent);
    assertThat(third.get("next").isNull()).isTrue();
  }

  @Test
  void looks_up_through_the_index_without_decrypting_any_row() {
    UUID id = send(http, "\"to\": [\"blind@example.com\"]");
    // Content no key can open (re-sealed as if with a key this instance does not hold): a look-up
    // that decrypted rows would fail or skip it.
    byte[] sealed =
        db.jdbc().queryForObject("SELECT content FROM message WHERE id = ?", byte[].class, id);
    assertThat(ledger.reseal(id, sealed, null, new byte[] {1, 2, 3}, null, null)).isTrue();

    assertThat(ids(http.get("/api/admin/messages?recipient=blind@example.com").json()))
        .containsExactly(id.toString());
    String stored =
        db.jdbc()
            .queryForObject(
                "SELECT array_to_string(recipient_digests, ',') FROM message WHERE id = ?",
                String.class,
                id);
    assertThat(stored)
        .contains(index.address("blind@example.com"))
        .contains(index.domain("example.com"))
        .doesNotContain("blind");
  }

  @Test
  void bad_look_ups_are_problems() {
    Http.Answer none = http.get("/api/admin/messages");
    assertThat(none.status()).isEqualTo(400);
    assertThat(none.contentType()).startsWith("application/problem+json");
    assertThat(http.get("/api/admin/messages?recipient=not-an-address").status()).isEqualTo(400);
    assertThat(http.get("/api/admin/messages?domain=a.test&limit=0").status()).isEqualTo(400);
  }

  @Test
  void reading_content_returns_the_mail_and_both_reads_are_audited() {
    UUID id = send(http, "\"to\": [\"reader@example.com\"], \"cc\": [\"cc@example.com\"]");

    Http.Answer content = http.get("/api/admin/messages/" + id + "/content");
    assertThat(content.status()).as(content.body()).isEqualTo(200);
    assertThat(content.json().get("to").get(0).asString()).isEqualTo("reader@example.com");
    assertThat(content.json().get("subject").asString()).isEqualTo("s");
    assertThat(http.get("/api/admin/messages/" + UUID.randomUUID() + "/content").status())
        .isEqualTo(404);
    http.get("/api/admin/messages?recipient=reader@example.com");

    JsonNode events = http.get("/api/admin/audit?limit=5").json().get("events");
    List<String> seen = new ArrayList<>();
    events.forEach(
        e ->
            seen.add(
                e.get("action").asString()
                    + " "
                    + e.get("target").asString()
                    + " "
                    + e.get("outcome").asString()));
    assertThat(seen)
        .contains("message.search recipient OK", "message.read_content " + id + " OK")
        .anyMatch(s -> s.startsWith("message.read_content ") && s.endsWith(" REFUSED_404"))
        .noneMatch(s -> s.contains("reader@"));
  }
}
