package dev.ums.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.crypto.Reencryption;
import dev.ums.ledger.Ledger;
import dev.ums.security.ContentCipher;
import dev.ums.security.RecipientIndex;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * An instance whose blind-index key was changed from A (and, before that, C) to B, with A and C
 * kept in {@code ums.crypto.previous-index-keys}: suppression entries written under A or C still
 * apply through the HTTP API, and move to B's digest when found or when {@code crypto reencrypt
 * --reindex} re-digests a message to their address.
 */
@UmsIntegrationTest
@TestPropertySource(
    properties = {
      "ums.crypto.index-key=" + PreviousIndexKeysTest.KEY_B,
      "ums.crypto.previous-index-keys="
          + PreviousIndexKeysTest.KEY_A
          + ","
          + PreviousIndexKeysTest.KEY_C
    })
@DirtiesContext // its own index key: no other class shares this context
class PreviousIndexKeysTest {

  static final String KEY_A = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
  static final String KEY_B = "AgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgI=";
  static final String KEY_C = "AwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwM=";

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  @Autowired RecipientIndex index;
  @Autowired Ledger ledger;
  @Autowired ContentCipher cipher;
  @Autowired JsonMapper json;

  String client;
  Http shop;

  static byte[] raw(String base64) {
    return java.util.Base64.getDecoder().decode(base64);
  }

  /** The list as an instance still on {@code key} wrote it. */
  Suppressions under(String key) {
    return new Suppressions(db.jdbc(), RecipientIndex.withKey(raw(key)), clock);
  }

  @BeforeEach
  void client() {
    client = "keys-" + UUID.randomUUID().toString().substring(0, 8);
    Http.Answer a =
        http.postJson(
            "/api/admin/keys", "{\"clientId\": \"" + client + "\", \"role\": \"SENDER\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    shop = http.as(a.json().get("key").asString());
  }

  String storedDigest(UUID id) {
    return db.jdbc()
        .queryForObject("SELECT digest FROM suppression WHERE id = ?", String.class, id);
  }

  @Test
  void the_instance_runs_on_b_and_an_entry_under_a_is_lost_to_b_alone() {
    assertThat(index.hasPreviousKeys()).isTrue();
    assertThat(index.address("ann@example.com"))
        .isEqualTo(RecipientIndex.withKey(raw(KEY_B)).address("ann@example.com"));
    assertThat(index.addressDigests("ann@example.com"))
        .containsExactly(
            RecipientIndex.withKey(raw(KEY_B)).address("ann@example.com"),
            RecipientIndex.withKey(raw(KEY_A)).address("ann@example.com"),
            RecipientIndex.withKey(raw(KEY_C)).address("ann@example.com"));
    under(KEY_A).add(client, new SuppressionRequest("ann@example.com", null, null));
    assertThat(under(KEY_B).suppressed(client, java.util.List.of("ann@example.com"))).isEmpty();
  }

  @Test
  void an_entry_under_a_previous_key_suppresses_at_intake_and_is_re_keyed() {
    Suppression ann =
        under(KEY_A).add(client, new SuppressionRequest("Ann@Example.com", null, null));

    Http.Answer a =
        shop.postJson("/api/messages", "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}");

    assertThat(a.status()).as(a.body()).isEqualTo(202);
    assertThat(a.json().get("status").asString()).isEqualTo("SUPPRESSED");
    assertThat(a.json().get("suppressed").toString()).isEqualTo("[\"to[0]\"]");
    assertThat(storedDigest(ann.id()))
        .isEqualTo(index.address("ann@example.com"))
        .isNotEqualTo(RecipientIndex.withKey(raw(KEY_A)).address("ann@example.com"));
    assertThat(db.count("suppression")).isEqualTo(1);
  }

  @Test
  void add_and_remove_by_address_find_entries_under_previous_keys() {
    Suppression bob =
        under(KEY_A).add(client, new SuppressionRequest("bob@example.com", null, null));
    under(KEY_C).add(client, new SuppressionRequest("carl@example.com", null, null));

    Http.Answer again =
        shop.postJson(
            "/api/suppressions", "{\"address\": \"BOB@example.com\", \"reason\": \"COMPLAINT\"}");
    assertThat(again.status()).as(again.body()).isEqualTo(201);
    assertThat(again.json().get("id").asString()).isEqualTo(bob.id().toString());
    assertThat(storedDigest(bob.id())).isEqualTo(index.address("bob@example.com"));

    Http.Answer removed =
        shop.deleteJson("/api/suppressions", "{\"address\": \"carl@example.com\"}");
    assertThat(removed.status()).as(removed.body()).isEqualTo(204);
    assertThat(db.count("suppression")).isEqualTo(1);
    assertThat(shop.deleteJson("/api/suppressions", "{\"address\": \"carl@example.com\"}").status())
        .isEqualTo(404);
  }

  @Test
  void the_reindex_run_re_keys_the_entries_of_its_messages_recipients() {
    Http.Answer sent =
        shop.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"cc\": [\"Bob <bob@example.com>\"], \"text\": \"t\"}");
    assertThat(sent.status()).as(sent.body()).isEqualTo(202);
    // As before the key change: the message's digests and the list under A.
    Suppressions underA = under(KEY_A);
    new Reencryption(db.jdbc(), ledger, cipher, RecipientIndex.withKey(raw(KEY_A)), json, underA)
        .run(true, p -> {});
    Suppression ann = underA.add(client, new SuppressionRequest("ann@example.com", null, null));
    Suppression bob = underA.add(client, new SuppressionRequest("bob@example.com", null, null));
    Suppression carl = underA.add(client, new SuppressionRequest("carl@example.com", null, null));
    Suppression otherClient =
        underA.add("someone-else", new SuppressionRequest("ann@example.com", null, null));
    assertThat(http.get("/api/admin/messages?recipient=ann@example.com").json().get("items"))
        .isEmpty();

    Http.Answer started = http.postJson("/api/admin/crypto/reencrypt?reindex=true", "");
    assertThat(started.status()).as(started.body()).isEqualTo(202);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                http.get("/api/admin/crypto/reencrypt")
                    .json()
                    .get("state")
                    .asString()
                    .equals("DONE"));

    assertThat(http.get("/api/admin/messages?recipient=ann@example.com").json().get("items"))
        .hasSize(1);
    assertThat(storedDigest(ann.id())).isEqualTo(index.address("ann@example.com"));
    assertThat(storedDigest(bob.id())).isEqualTo(index.address("bob@example.com"));
    // No message of this client names carl, and the other client sent nothing: left for a hit.
    String carlUnderA = RecipientIndex.withKey(raw(KEY_A)).address("carl@example.com");
    assertThat(storedDigest(carl.id())).isEqualTo(carlUnderA);
    assertThat(storedDigest(otherClient.id()))
        .isEqualTo(RecipientIndex.withKey(raw(KEY_A)).address("ann@example.com"));
  }
}
