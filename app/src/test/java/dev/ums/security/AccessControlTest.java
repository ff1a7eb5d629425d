package dev.ums.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.UmsIntegrationTest;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@UmsIntegrationTest
class AccessControlTest {

  static final String MAIL = "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}";

  @Autowired Http http;
  @Autowired Db db;
  @Autowired ApiKeys keys;

  String shopKey;
  String otherKey;

  @BeforeEach
  void keys() {
    shopKey = createKey("shop", "SENDER");
    otherKey = createKey("other", "SENDER");
  }

  String createKey(String client, String role) {
    Answer a =
        http.postJson(
            "/api/admin/keys",
            "{\"clientId\": \"" + client + "\", \"role\": \"" + role + "\", \"name\": \"t\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    return a.json().get("key").asString();
  }

  enum Who {
    NONE,
    BAD,
    SENDER,
    ADMIN
  }

  Http as(Who who) {
    return switch (who) {
      case NONE -> http.as(null);
      case BAD -> http.as("ums_not_a_real_key_at_all_0000000000");
      case SENDER -> http.as(shopKey);
      case ADMIN -> http;
    };
  }

  static Stream<Arguments> matrix() {
    return Stream.of(
        // who, method, path, expected status
        Arguments.of(Who.NONE, "POST", "/api/messages", 401),
        Arguments.of(Who.BAD, "POST", "/api/messages", 401),
        Arguments.of(Who.SENDER, "POST", "/api/messages", 202),
        Arguments.of(Who.ADMIN, "POST", "/api/messages", 202),
        Arguments.of(Who.NONE, "POST", "/api/messages/batch", 401),
        Arguments.of(Who.SENDER, "POST", "/api/messages/batch", 202),
        Arguments.of(Who.NONE, "GET", "/api/admin/keys", 401),
        Arguments.of(Who.BAD, "GET", "/api/admin/keys", 401),
        Arguments.of(Who.SENDER, "GET", "/api/admin/keys", 403),
        Arguments.of(Who.ADMIN, "GET", "/api/admin/keys", 200),
        Arguments.of(Who.SENDER, "POST", "/api/admin/keys", 403),
        Arguments.of(Who.SENDER, "GET", "/api/admin/audit", 403),
        Arguments.of(Who.ADMIN, "GET", "/api/admin/audit", 200),
        Arguments.of(Who.SENDER, "GET", "/api/admin/messages?recipient=a@b.test", 403),
        Arguments.of(Who.ADMIN, "GET", "/api/admin/messages?recipient=a@b.test", 200),
        Arguments.of(Who.NONE, "GET", "/api/admin/messages?recipient=a@b.test", 401),
        Arguments.of(Who.SENDER, "GET", "/api/admin/crypto/reencrypt", 403),
        Arguments.of(Who.ADMIN, "GET", "/api/admin/crypto/reencrypt", 200),
        Arguments.of(Who.NONE, "GET", "/api/admin/clients/shop/sender-domains", 401),
        Arguments.of(Who.BAD, "GET", "/api/admin/clients/shop/sender-domains", 401),
        Arguments.of(Who.SENDER, "GET", "/api/admin/clients/shop/sender-domains", 403),
        Arguments.of(Who.ADMIN, "GET", "/api/admin/clients/shop/sender-domains", 200),
        Arguments.of(Who.NONE, "PUT", "/api/admin/clients/shop/sender-domains", 401),
        Arguments.of(Who.BAD, "PUT", "/api/admin/clients/shop/sender-domains", 401),
        Arguments.of(Who.SENDER, "PUT", "/api/admin/clients/shop/sender-domains", 403),
        Arguments.of(Who.ADMIN, "PUT", "/api/admin/clients/shop/sender-domains", 200),
        Arguments.of(Who.NONE, "GET", "/api/suppressions", 401),
        Arguments.of(Who.BAD, "GET", "/api/suppressions", 401),
        Arguments.of(Who.SENDER, "GET", "/api/suppressions", 200),
        Arguments.of(Who.ADMIN, "GET", "/api/suppressions", 200),
        Arguments.of(Who.NONE, "POST", "/api/suppressions", 401),
        Arguments.of(Who.SENDER, "POST", "/api/suppressions", 201),
        Arguments.of(Who.SENDER, "GET", "/api/admin/suppressions", 403),
        Arguments.of(Who.ADMIN, "GET", "/api/admin/suppressions", 200),
        Arguments.of(Who.NONE, "GET", "/api/admin/suppressions", 401),
        Arguments.of(Who.NONE, "GET", "/api/bounces", 401),
        Arguments.of(Who.BAD, "GET", "/api/bounces", 401),
        Arguments.of(Who.SENDER, "GET", "/api/bounces", 200),
        Arguments.of(Who.ADMIN, "GET", "/api/bounces", 200),
        Arguments.of(Who.NONE, "GET", "/api/admin/bounces", 401),
        Arguments.of(Who.BAD, "GET", "/api/admin/bounces", 401),
        Arguments.of(Who.SENDER, "GET", "/api/admin/bounces", 403),
        Arguments.of(Who.SENDER, "GET", "/api/admin/bounces?clientId=shop", 403),
        Arguments.of(Who.ADMIN, "GET", "/api/admin/bounces", 200),
        Arguments.of(Who.ADMIN, "GET", "/api/admin/bounces?clientId=shop", 200),
        Arguments.of(Who.SENDER, "GET", "/api/dev/inbox", 403),
        Arguments.of(Who.ADMIN, "GET", "/api/dev/inbox", 200),
        Arguments.of(Who.NONE, "GET", "/actuator/health", 200),
        Arguments.of(Who.NONE, "GET", "/actuator/prometheus", 401),
        Arguments.of(Who.SENDER, "GET", "/actuator/prometheus", 403));
  }

  @ParameterizedTest(name = "{0} {1} {2} -> {3}")
  @MethodSource("matrix")
  void each_role_gets_its_answer_on_each_endpoint(Who who, String method, String path, int status) {
    Answer a =
        switch (method) {
          case "POST" ->
              as(who)
                  .postJson(
                      path,
                      path.endsWith("batch")
                          ? "{\"messages\": [" + MAIL + "]}"
                          : path.endsWith("keys")
                              ? "{\"clientId\": \"x\", \"role\": \"SENDER\"}"
                              : path.endsWith("suppressions")
                                  ? "{\"address\": \"held@example.com\"}"
                                  : MAIL);
          case "PUT" -> as(who).putJson(path, "[\"shop.example\"]");
          default -> as(who).get(path);
        };

    assertThat(a.status()).as(a.body()).isEqualTo(status);
    if (status == 401 || status == 403) {
      assertThat(a.contentType()).startsWith("application/problem+json");
    }
  }

  @Test
  void another_clients_message_is_not_found_but_an_admin_sees_it() {
    String id = http.as(shopKey).postJson("/api/messages", MAIL).json().get("id").asString();

    assertThat(http.as(shopKey).get("/api/messages/" + id).status()).isEqualTo(200);
    Answer other = http.as(otherKey).get("/api/messages/" + id);
    assertThat(other.status()).isEqualTo(404);
    assertThat(other.contentType()).startsWith("application/problem+json");
    assertThat(http.get("/api/messages/" + id).status()).isEqualTo(200);
  }

  @Test
  void idempotency_keys_are_scoped_per_client() {
    Answer a = http.as(shopKey).postJson("/api/messages", MAIL, "Idempotency-Key", "same");
    Answer b =
        http.as(otherKey)
            .postJson("/api/messages", MAIL.replace("hi", "other"), "Idempotency-Key", "same");

    assertThat(a.status()).isEqualTo(202);
    assertThat(b.status()).isEqualTo(202);
    assertThat(b.header("Idempotency-Replay")).isNull();
    assertThat(a.json().get("id").asString()).isNotEqualTo(b.json().get("id").asString());
    assertThat(db.count("message")).isEqualTo(2);
  }

  @Test
  void a_revoked_key_is_refused_at_once_and_both_actions_are_audited() {
    String key = createKey("temp", "SENDER");
    assertThat(http.as(key).postJson("/api/messages", MAIL).status()).isEqualTo(202);
    String keyId = keyIdOf(key);

    assertThat(http.postJson("/api/admin/keys/" + keyId + "/revoke", "{}").status()).isEqualTo(200);

    Answer after = http.as(key).postJson("/api/messages", MAIL);
    assertThat(after.status()).isEqualTo(401);
    JsonNode events = http.get("/api/admin/audit?limit=10").json().get("events");
    assertThat(events.findValuesAsString("action")).contains("key.create", "key.revoke");
    assertThat(events.toString()).doesNotContain(key);
  }

  @Test
  void key_listing_shows_labels_never_keys_or_hashes() {
    String body = http.get("/api/admin/keys").body();

    assertThat(body).doesNotContain(shopKey).doesNotContain(keys.hash(shopKey));
    assertThat(body).doesNotContain(shopKey.substring(0, 12));
    assertThat(
            db.jdbc()
                .queryForObject(
                    "SELECT COUNT(*) FROM api_key WHERE key_hash = ?",
                    Integer.class,
                    keys.hash(shopKey)))
        .isEqualTo(1);
  }

  String keyIdOf(String key) {
    return db.jdbc()
        .queryForObject(
            "SELECT CAST(id AS VARCHAR) FROM api_key WHERE key_hash = ?",
            String.class,
            keys.hash(key));
  }
}
