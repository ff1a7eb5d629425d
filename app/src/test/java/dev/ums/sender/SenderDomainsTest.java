package dev.ums.sender;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.UmsIntegrationTest;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** A SENDER key may only send as its own client's domains; admins manage those domains. */
@UmsIntegrationTest
class SenderDomainsTest {

  @Autowired Http http;
  @Autowired Db db;

  String shopKey;

  @BeforeEach
  void setUp() {
    // Through the API, so this instance's cache forgets them at once.
    http.putJson(domainsPath("shop"), "[]");
    http.putJson(domainsPath("bank"), "[]");
    Answer k =
        http.postJson(
            "/api/admin/keys", "{\"clientId\": \"shop\", \"role\": \"SENDER\", \"name\": \"t\"}");
    shopKey = k.json().get("key").asString();
  }

  static String mail(String extra) {
    return "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"" + extra + "}";
  }

  Answer sendAsShop(String extra) {
    return http.as(shopKey).postJson("/api/messages", mail(extra));
  }

  static void assertRefused(Answer a, String field) {
    assertThat(a.status()).as(a.body()).isEqualTo(422);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.json().get("type").asString()).isEqualTo("/problems/sender-not-allowed");
    assertThat(a.json().get("errors").findValuesAsString("field")).containsExactly(field);
  }

  @Test
  void a_client_without_sender_domains_may_only_send_as_the_default_sender() {
    Answer bank = sendAsShop(", \"from\": \"Your Bank <alerts@bank.example>\"");
    Answer defaultSpelledOut = sendAsShop(", \"from\": \"UMS <no-reply@ums.localhost>\"");
    Answer replyTo = sendAsShop(", \"replyTo\": \"help@bank.example\"");

    assertRefused(bank, "from");
    assertRefused(defaultSpelledOut, "from");
    assertRefused(replyTo, "replyTo");
    assertThat(bank.body()).doesNotContain("alerts@bank.example");
    assertThat(db.intakeRows()).isZero();

    Answer plain = sendAsShop("");
    assertThat(plain.status()).as(plain.body()).isEqualTo(202);
    String id = plain.json().get("id").asString();
    assertThat(http.get("/api/admin/messages/" + id + "/content").json().get("from").asString())
        .isEqualTo("UMS <no-reply@ums.localhost>");
  }

  @Test
  void an_allowed_domain_and_its_subdomains_may_be_used_and_look_alikes_may_not() {
    assertThat(http.putJson(domainsPath("shop"), "[\"shop.example\"]").status()).isEqualTo(200);

    assertThat(sendAsShop(", \"from\": \"Shop <news@shop.example>\"").status()).isEqualTo(202);
    assertThat(sendAsShop(", \"from\": \"news@SHOP.Example\"").status()).isEqualTo(202);
    assertThat(sendAsShop(", \"from\": \"news@mail.shop.example\"").status()).isEqualTo(202);
    assertThat(sendAsShop(", \"replyTo\": \"help@shop.example\"").status()).isEqualTo(202);

    assertRefused(sendAsShop(", \"from\": \"news@evilshop.example\""), "from");
    assertRefused(sendAsShop(", \"from\": \"news@shop.example.evil.test\""), "from");
    assertRefused(sendAsShop(", \"from\": \"UMS <no-reply@ums.localhost>\""), "from");
    assertRefused(
        sendAsShop(", \"from\": \"news@shop.example\", \"replyTo\": \"x@other.example\""),
        "replyTo");
  }

  @Test
  void another_clients_domain_is_refused() {
    http.putJson(domainsPath("shop"), "[\"shop.example\"]");
    http.putJson(domainsPath("bank"), "[\"bank.example\"]");

    assertRefused(sendAsShop(", \"from\": \"Bank <alerts@bank.example>\""), "from");
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void a_batch_with_one_refused_sender_stores_nothing_and_names_the_item() {
    http.putJson(domainsPath("shop"), "[\"shop.example\"]");

    Answer a =
        http.as(shopKey)
            .postJson(
                "/api/messages/batch",
                "{\"messages\": ["
                    + mail(", \"from\": \"news@shop.example\"")
                    + ","
                    + mail(", \"from\": \"ceo@bank.example\"")
                    + "]}");

    assertRefused(a, "from");
    assertThat(a.json().get("errors").get(0).get("index").asInt()).isEqualTo(1);
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void an_admin_key_may_use_any_sender() {
    Answer a = http.postJson("/api/messages", mail(", \"from\": \"Ops <ops@anywhere.example>\""));

    assertThat(a.status()).as(a.body()).isEqualTo(202);
  }

  @Test
  void admins_replace_and_read_a_clients_domains_and_each_change_is_audited() {
    Answer put =
        http.putJson(
            domainsPath("shop"), "[\"Shop.Example\", \"mail.other.example\", \"shop.example\"]");

    assertThat(put.status()).as(put.body()).isEqualTo(200);
    JsonNode got = http.get(domainsPath("shop")).json();
    assertThat(got.get("clientId").asString()).isEqualTo("shop");
    assertThat(got.get("domains").valueStream().map(JsonNode::asString))
        .containsExactly("mail.other.example", "shop.example");

    assertThat(http.putJson(domainsPath("shop"), "[]").status()).isEqualTo(200);
    assertThat(http.get(domainsPath("shop")).json().get("domains")).isEmpty();
    assertRefused(sendAsShop(", \"from\": \"news@shop.example\""), "from");

    JsonNode events = http.get("/api/admin/audit?limit=5").json().get("events");
    assertThat(events.get(0).get("action").asString()).isEqualTo("client.sender_domains.set");
    assertThat(events.get(0).get("target").asString()).isEqualTo("shop");
    assertThat(events.get(0).get("outcome").asString()).isEqualTo("OK");
  }

  @Test
  void malformed_domains_are_refused_by_position_and_change_nothing() {
    http.putJson(domainsPath("shop"), "[\"shop.example\"]");

    Answer a =
        http.putJson(
            domainsPath("shop"),
            "[\"ok.example\", \"com\", \"10.0.0.1\", \"*.shop.example\", \"bäck.example\","
                + " \"a b.example\", \"-x.example\"]");

    assertThat(a.status()).as(a.body()).isEqualTo(400);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.json().get("errors").findValuesAsString("field"))
        .containsExactly("[1]", "[2]", "[3]", "[4]", "[5]", "[6]");
    assertThat(http.get(domainsPath("shop")).json().get("domains").get(0).asString())
        .isEqualTo("shop.example");
    assertThat(
            http.get("/api/admin/audit?limit=1")
                .json()
                .get("events")
                .get(0)
                .get("outcome")
                .asString())
        .isEqualTo("REFUSED_400");
    assertThat(http.putJson(domainsPath("bad client!"), "[]").status()).isEqualTo(400);
  }

  static String domainsPath(String client) {
    return "/api/admin/clients/" + client.replace(" ", "%20") + "/sender-domains";
  }
}
