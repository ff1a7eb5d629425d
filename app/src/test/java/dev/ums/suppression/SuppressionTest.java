package dev.ums.suppression;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.dispatch.DispatchListener;
import dev.ums.dispatch.DispatchProperties;
import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.dispatch.RetryPolicy;
import dev.ums.dispatch.TestDispatch;
import dev.ums.email.EmailSender;
import dev.ums.ledger.Ledger;
import dev.ums.security.ContentCipher;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.Relays;
import dev.ums.testing.TestClock;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The suppression list end to end: through the HTTP API and a scripted SMTP relay that refuses an
 * address with {@code 550 5.1.1}, driven by a dispatcher that checks the list before each send.
 */
@DispatchIntegrationTest
class SuppressionTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  @Autowired OutboxDispatcher contextDispatcher;
  @Autowired Ledger ledger;
  @Autowired RetryPolicy retryPolicy;
  @Autowired JsonMapper json;
  @Autowired ContentCipher cipher;
  @Autowired Suppressions suppressions;

  ScriptedSmtpServer relay;
  EmailSender sender;
  ExecutorService pool;
  OutboxDispatcher dispatcher;
  Http shop;

  @BeforeEach
  void start() throws Exception {
    contextDispatcher.stop();
    relay = Relays.plain();
    relay.rcptReply(
        rcpt ->
            rcpt.toLowerCase().contains("gone@example.com")
                ? "550 5.1.1 <gone@example.com>: Recipient address rejected: User unknown"
                : "250 2.1.5 Ok");
    sender =
        EmailSender.toRelay(
            Relays.client(
                relay, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2), 2),
            clock);
    pool = Executors.newFixedThreadPool(2);
    dispatcher = dispatcher();
    dispatcher.start();
    shop = http.as(senderKey("shop-" + UUID.randomUUID().toString().substring(0, 8)));
  }

  /** What the dispatcher reported to its listener (the metrics' hooks). */
  final AtomicInteger suppressedRecipients = new AtomicInteger();

  final AtomicInteger suppressedMessages = new AtomicInteger();
  final AtomicInteger hardBounced = new AtomicInteger();

  private OutboxDispatcher dispatcher() {
    OutboxDispatcher d = newDispatcher();
    d.setListener(
        new DispatchListener() {
          @Override
          public void suppressed(int recipients, boolean wholeMessage) {
            suppressedRecipients.addAndGet(recipients);
            suppressedMessages.addAndGet(wholeMessage ? 1 : 0);
          }

          @Override
          public void hardBounced(int count) {
            hardBounced.addAndGet(count);
          }
        });
    return d;
  }

  private OutboxDispatcher newDispatcher() {
    DispatchProperties props = TestDispatch.props(10, 2, 2, Duration.ofMinutes(2));
    return new OutboxDispatcher(
        ledger,
        sender,
        pool,
        retryPolicy,
        props,
        "suppression",
        "test.ums",
        json,
        cipher,
        clock,
        null,
        suppressions);
  }

  @AfterEach
  void stop() throws Exception {
    dispatcher.stop();
    pool.shutdown();
    sender.close();
    relay.close();
    contextDispatcher.start();
  }

  private String senderKey(String client) {
    Http.Answer a =
        http.postJson(
            "/api/admin/keys", "{\"clientId\": \"" + client + "\", \"role\": \"SENDER\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    return a.json().get("key").asString();
  }

  private JsonNode send(Http as, String body) {
    Http.Answer a = as.postJson("/api/messages", body);
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    dispatcher.wake();
    return a.json();
  }

  private String status(Http as, String id) {
    return as.get("/api/messages/" + id).json().get("status").asString();
  }

  private List<String> eventTypes(Http as, String id) {
    Http.Answer a = as.get("/api/messages/" + id + "/events");
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    List<String> types = new ArrayList<>();
    for (JsonNode e : a.json().get("events")) {
      types.add(e.get("type").asString());
    }
    return types;
  }

  private List<String> rcpts() {
    return relay.commands("RCPT").stream().map(String::toLowerCase).toList();
  }

  @Test
  void a_5_1_1_refusal_suppresses_the_address_and_the_next_message_to_it_never_reaches_the_relay() {
    String first =
        send(shop, "{\"to\": [\"gone@example.com\"], \"text\": \"hi\"}").get("id").asString();
    await().atMost(Duration.ofSeconds(10)).until(() -> "FAILED".equals(status(shop, first)));

    Http.Answer list = shop.get("/api/suppressions");
    assertThat(list.status()).isEqualTo(200);
    assertThat(list.json().get("suppressions").size()).isEqualTo(1);
    assertThat(list.json().get("suppressions").get(0).get("reason").asString())
        .isEqualTo("HARD_BOUNCE");
    assertThat(list.body()).doesNotContain("gone@example.com");
    assertThat(hardBounced.get()).isEqualTo(1);
    int rcptsBefore = rcpts().size();

    JsonNode second = send(shop, "{\"to\": [\"Gone@Example.com\"], \"text\": \"again\"}");

    assertThat(second.get("status").asString()).isEqualTo("SUPPRESSED");
    assertThat(second.get("suppressed").toString()).isEqualTo("[\"to[0]\"]");
    String id = second.get("id").asString();
    assertThat(status(shop, id)).isEqualTo("SUPPRESSED");
    assertThat(eventTypes(shop, id)).containsExactly("message.suppressed");
    assertThat(db.jdbc().queryForObject("SELECT COUNT(*) FROM outbox", Integer.class)).isZero();
    assertThat(rcpts()).hasSize(rcptsBefore);
    assertThat(relay.deliveries()).isZero();
  }

  @Test
  void a_partly_suppressed_message_is_sent_to_the_others_and_the_suppressed_one_recorded() {
    assertThat(shop.postJson("/api/suppressions", "{\"address\": \"carl@example.com\"}").status())
        .isEqualTo(201);

    JsonNode answer =
        send(
            shop,
            "{\"to\": [\"ann@example.com\"], \"cc\": [\"carl@example.com\"], \"text\": \"hi\"}");

    assertThat(answer.get("status").asString()).isEqualTo("QUEUED");
    assertThat(answer.get("suppressed").toString()).isEqualTo("[\"cc[0]\"]");
    String id = answer.get("id").asString();
    await().atMost(Duration.ofSeconds(10)).until(() -> "SENT".equals(status(shop, id)));
    assertThat(rcpts()).hasSize(1);
    assertThat(rcpts().get(0)).contains("ann@example.com");
    byte[] refused =
        db.jdbc()
            .queryForObject(
                "SELECT refused_recipients FROM message WHERE id = ?",
                byte[].class,
                UUID.fromString(id));
    JsonNode list = json.readTree(cipher.openRefused(UUID.fromString(id), refused));
    assertThat(list.size()).isEqualTo(1);
    assertThat(list.get(0).get("address").asString()).isEqualTo("carl@example.com");
    assertThat(list.get(0).get("code").asInt()).isZero();
    assertThat(suppressedRecipients.get()).isEqualTo(1);
    assertThat(suppressedMessages.get()).isZero();
    JsonNode events = shop.get("/api/messages/" + id + "/events").json().get("events");
    assertThat(events.get(0).get("type").asString()).isEqualTo("message.queued");
    assertThat(events.get(0).get("suppressed").asInt()).isEqualTo(1);
    assertThat(events.get(events.size() - 1).get("type").asString()).isEqualTo("message.sent");
    assertThat(events.get(events.size() - 1).get("suppressed").asInt()).isEqualTo(1);
  }

  @Test
  void a_batch_is_checked_in_one_look_up_and_each_answer_says_what_was_suppressed() {
    shop.postJson("/api/suppressions", "{\"address\": \"carl@example.com\"}");
    Http.Answer a =
        shop.postJson(
            "/api/messages/batch",
            "{\"messages\": ["
                + "{\"to\": [\"carl@example.com\"], \"text\": \"1\"},"
                + "{\"to\": [\"ann@example.com\", \"CARL@example.com\"], \"text\": \"2\"},"
                + "{\"to\": [\"bob@example.com\"], \"text\": \"3\"}]}");
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    dispatcher.wake();
    JsonNode answers = a.json().get("messages");

    assertThat(answers.get(0).get("status").asString()).isEqualTo("SUPPRESSED");
    assertThat(answers.get(0).get("suppressed").toString()).isEqualTo("[\"to[0]\"]");
    assertThat(answers.get(1).get("status").asString()).isEqualTo("QUEUED");
    assertThat(answers.get(1).get("suppressed").toString()).isEqualTo("[\"to[1]\"]");
    assertThat(answers.get(2).get("status").asString()).isEqualTo("QUEUED");
    assertThat(answers.get(2).has("suppressed")).isFalse();
    for (int i = 1; i < 3; i++) {
      String id = answers.get(i).get("id").asString();
      await().atMost(Duration.ofSeconds(10)).until(() -> "SENT".equals(status(shop, id)));
    }
    assertThat(status(shop, answers.get(0).get("id").asString())).isEqualTo("SUPPRESSED");
    assertThat(rcpts()).hasSize(2).noneMatch(r -> r.contains("carl@example.com"));
    assertThat(relay.deliveries()).isEqualTo(2);
  }

  @Test
  void an_address_suppressed_after_intake_is_caught_at_dispatch() {
    dispatcher.stop();
    String id =
        send(shop, "{\"to\": [\"bob@example.com\"], \"text\": \"hi\"}").get("id").asString();
    assertThat(shop.postJson("/api/suppressions", "{\"address\": \"bob@example.com\"}").status())
        .isEqualTo(201);

    dispatcher = dispatcher();
    dispatcher.start();
    dispatcher.wake();

    await().atMost(Duration.ofSeconds(10)).until(() -> "SUPPRESSED".equals(status(shop, id)));
    assertThat(eventTypes(shop, id)).containsExactly("message.queued", "message.suppressed");
    assertThat(suppressedMessages.get()).isEqualTo(1);
    assertThat(rcpts()).isEmpty();
    assertThat(relay.connections()).isZero();
    assertThat(db.count("outbox")).isZero();
  }

  @Test
  void entries_are_scoped_to_their_client_removable_by_address_or_id_and_never_show_the_address() {
    Http other = http.as(senderKey("other-" + UUID.randomUUID().toString().substring(0, 8)));
    Http.Answer added =
        shop.postJson(
            "/api/suppressions",
            "{\"address\": \"Dan <dan@example.com>\", \"reason\": \"COMPLAINT\","
                + " \"expiresAt\": \"2999-01-01T00:00:00Z\"}");
    assertThat(added.status()).as(added.body()).isEqualTo(201);
    assertThat(added.body()).doesNotContainIgnoringCase("dan@example.com");
    String id = added.json().get("id").asString();
    assertThat(added.json().get("reason").asString()).isEqualTo("COMPLAINT");
    assertThat(added.header("Location")).isEqualTo("/api/suppressions/" + id);

    // Another client neither sees nor removes it, and may still mail the address.
    assertThat(other.get("/api/suppressions").json().get("suppressions").size()).isZero();
    assertThat(other.method("DELETE", "/api/suppressions/" + id).status()).isEqualTo(404);
    assertThat(
            send(other, "{\"to\": [\"dan@example.com\"], \"text\": \"hi\"}")
                .get("status")
                .asString())
        .isEqualTo("QUEUED");

    // Validation: problem+json.
    Http.Answer bad = shop.postJson("/api/suppressions", "{\"address\": \"not-an-address\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.contentType()).startsWith("application/problem+json");
    Http.Answer past =
        shop.postJson(
            "/api/suppressions",
            "{\"address\": \"x@example.com\", \"expiresAt\": \"2000-01-01T00:00:00Z\"}");
    assertThat(past.status()).isEqualTo(400);

    // Removal by address (in the body) and by id.
    assertThat(shop.deleteJson("/api/suppressions", "{\"address\": \"DAN@example.com\"}").status())
        .isEqualTo(204);
    assertThat(shop.deleteJson("/api/suppressions", "{\"address\": \"dan@example.com\"}").status())
        .isEqualTo(404);
    String again =
        shop.postJson("/api/suppressions", "{\"address\": \"dan@example.com\"}")
            .json()
            .get("id")
            .asString();
    assertThat(shop.method("DELETE", "/api/suppressions/" + again).status()).isEqualTo(204);
    assertThat(shop.get("/api/suppressions").json().get("suppressions").size()).isZero();
  }

  @Test
  void an_expired_entry_no_longer_suppresses() {
    shop.postJson(
        "/api/suppressions",
        "{\"address\": \"eve@example.com\", \"expiresAt\": \""
            + clock.instant().plusSeconds(60)
            + "\"}");
    assertThat(
            send(shop, "{\"to\": [\"eve@example.com\"], \"text\": \"hi\"}")
                .get("status")
                .asString())
        .isEqualTo("SUPPRESSED");

    clock.advance(Duration.ofSeconds(120));

    assertThat(shop.get("/api/suppressions").json().get("suppressions").size()).isZero();
    assertThat(
            send(shop, "{\"to\": [\"eve@example.com\"], \"text\": \"hi\"}")
                .get("status")
                .asString())
        .isEqualTo("QUEUED");
  }

  @Test
  void an_admin_lists_and_clears_any_clients_entries_and_a_sender_cannot() {
    shop.postJson("/api/suppressions", "{\"address\": \"a@example.com\"}");
    shop.postJson("/api/suppressions", "{\"address\": \"b@example.com\"}");
    String client =
        shop.get("/api/suppressions").json().get("suppressions").get(0).get("clientId").asString();

    assertThat(shop.get("/api/admin/suppressions").status()).isEqualTo(403);
    Http.Answer listed = http.get("/api/admin/suppressions?clientId=" + client);
    assertThat(listed.status()).isEqualTo(200);
    assertThat(listed.json().get("suppressions").size()).isEqualTo(2);

    Http.Answer cleared = http.method("DELETE", "/api/admin/suppressions?clientId=" + client);
    assertThat(cleared.status()).isEqualTo(200);
    assertThat(cleared.json().get("removed").asInt()).isEqualTo(2);
    assertThat(shop.get("/api/suppressions").json().get("suppressions").size()).isZero();
  }

  @Test
  void the_timeline_is_owner_scoped() {
    String id =
        send(shop, "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}").get("id").asString();
    Http other = http.as(senderKey("other-" + UUID.randomUUID().toString().substring(0, 8)));

    assertThat(other.get("/api/messages/" + id + "/events").status()).isEqualTo(404);
    assertThat(http.get("/api/messages/" + id + "/events").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> "SENT".equals(status(shop, id)));
    assertThat(eventTypes(shop, id)).containsExactly("message.queued", "message.sent");
  }
}
