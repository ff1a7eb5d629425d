package dev.ums.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.ledger.FailureClass;
import dev.ums.testing.Http;
import dev.ums.testing.ManualDispatch;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;

/**
 * Delivery events reach real HTTP receivers, signed the Standard Webhooks way: every type, after an
 * outage in order, never held up by another client's endpoint, replayed on request, and an endpoint
 * failing for too long is disabled.
 */
@UmsIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class WebhookDeliveryTest {

  @Autowired Http http;
  @Autowired ManualDispatch dispatch;
  @Autowired TestClock clock;

  final List<SignedReceiver> receivers = new ArrayList<>();

  @AfterEach
  void closeReceivers() {
    receivers.forEach(SignedReceiver::close);
  }

  SignedReceiver receiver() {
    SignedReceiver r = new SignedReceiver();
    receivers.add(r);
    return r;
  }

  /** Creates an endpoint for {@code as}'s client; returns [id, secret]. */
  static String[] endpoint(Http as, String url, String types) {
    Http.Answer a =
        as.postJson(
            "/api/webhooks",
            "{\"url\": \""
                + url
                + "\""
                + (types == null ? "" : ", \"eventTypes\": " + types)
                + "}");
    assertThat(a.status()).isEqualTo(201);
    return new String[] {a.json().get("id").asString(), a.json().get("secret").asString()};
  }

  static String send(Http as, String extra) {
    Http.Answer a =
        as.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"subject\": \"s\", \"text\": \"t\"" + extra + "}");
    assertThat(a.status()).isEqualTo(202);
    return a.json().get("id").asString();
  }

  Http sender(String client) {
    String key =
        http.postJson("/api/admin/keys", "{\"clientId\": \"" + client + "\", \"role\": \"SENDER\"}")
            .json()
            .get("key")
            .asString();
    return http.as(key);
  }

  @Test
  void every_event_type_arrives_with_a_signature_that_verifies_in_order_per_message() {
    SignedReceiver receiver = receiver();
    String[] hook = endpoint(http, receiver.url(), null);
    assertThat(hook[1]).startsWith("whsec_");

    String sent = send(http, "");
    String dead = send(http, "");
    String scheduled = send(http, ", \"sendAt\": \"" + Instant.now().plusSeconds(3600) + "\"");
    dispatch.sent(UUID.fromString(sent), Instant.now(), null);
    dispatch.deadLetter(UUID.fromString(dead), Instant.now(), FailureClass.TRANSIENT, 451, 2);
    assertThat(http.postJson("/api/admin/dead-letters/" + dead + "/redrive", "").status())
        .isEqualTo(200);
    assertThat(http.postJson("/api/messages/" + scheduled + "/cancel", "").status()).isEqualTo(200);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(receiver.types()).hasSize(8));
    assertThat(receiver.types(sent)).containsExactly("message.queued", "message.sent");
    assertThat(receiver.types(dead))
        .containsExactly(
            "message.queued", "message.deferred", "message.failed", "message.redriven");
    assertThat(receiver.types(scheduled)).containsExactly("message.queued", "message.cancelled");
    assertThat(receiver.received).allSatisfy(r -> assertThat(r.verifies(hook[1])).isTrue());
    assertThat(receiver.received).extracting(SignedReceiver.Received::id).doesNotHaveDuplicates();

    JsonNode failed =
        receiver.received.stream()
            .filter(r -> r.type().equals("message.failed"))
            .findFirst()
            .orElseThrow()
            .json();
    assertThat(failed.get("data").get("status").asString()).isEqualTo("FAILED");
    assertThat(failed.get("data").get("smtpCode").asInt()).isEqualTo(451);
    assertThat(failed.get("data").get("failureClass").asString()).isEqualTo("TRANSIENT");
    assertThat(failed.get("data").get("attempt").asInt()).isEqualTo(2);

    // The secret is shown once only.
    assertThat(http.get("/api/webhooks/" + hook[0]).body())
        .doesNotContain(hook[1])
        .doesNotContain("secret");
    assertThat(http.get("/api/webhooks").body()).doesNotContain(hook[1]);
    JsonNode log = http.get("/api/webhooks/" + hook[0] + "/deliveries").json().get("deliveries");
    assertThat(log).hasSize(8);
    assertThat(log).allSatisfy(d -> assertThat(d.get("status").asString()).isEqualTo("DELIVERED"));
  }

  @Test
  void a_suppressed_message_is_announced_and_the_timeline_lists_each_events_deliveries() {
    SignedReceiver receiver = receiver();
    String[] hook = endpoint(http, receiver.url(), null);
    assertThat(http.postJson("/api/suppressions", "{\"address\": \"zed@example.com\"}").status())
        .isEqualTo(201);
    Http.Answer a =
        http.postJson("/api/messages", "{\"to\": [\"zed@example.com\"], \"text\": \"t\"}");
    assertThat(a.json().get("status").asString()).isEqualTo("SUPPRESSED");
    String suppressed = a.json().get("id").asString();
    String sent = send(http, "");
    dispatch.sent(UUID.fromString(sent), Instant.now(), null);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(receiver.types()).hasSize(3));
    assertThat(receiver.types(suppressed)).containsExactly("message.suppressed");
    JsonNode data =
        receiver.received.stream()
            .filter(r -> r.type().equals("message.suppressed"))
            .findFirst()
            .orElseThrow()
            .json()
            .get("data");
    assertThat(data.get("status").asString()).isEqualTo("SUPPRESSED");
    assertThat(data.get("suppressed").asInt()).isEqualTo(1);
    assertThat(receiver.received).allSatisfy(r -> assertThat(r.verifies(hook[1])).isTrue());

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              JsonNode events = http.get("/api/messages/" + sent + "/events").json().get("events");
              assertThat(events).hasSize(2);
              assertThat(events.get(0).get("type").asString()).isEqualTo("message.queued");
              assertThat(events.get(1).get("type").asString()).isEqualTo("message.sent");
              assertThat(events.get(0).get("seq").asLong())
                  .isLessThan(events.get(1).get("seq").asLong());
              for (JsonNode e : events) {
                assertThat(e.get("webhookDeliveries")).hasSize(1);
                assertThat(e.get("webhookDeliveries").get(0).get("status").asString())
                    .isEqualTo("DELIVERED");
                assertThat(e.get("webhookDeliveries").get(0).get("eventId").asString())
                    .isEqualTo(e.get("id").asString());
              }
            });
  }

  @Test
  void a_receiver_down_for_a_while_gets_every_event_afterwards_in_order_per_message() {
    SignedReceiver receiver = receiver();
    receiver.down = true;
    String[] hook = endpoint(http, receiver.url(), null);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(send(http, ""));
    }
    for (String id : ids) {
      dispatch.sent(UUID.fromString(id), Instant.now(), null);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.refused.size() >= 4);
    assertThat(http.get("/api/webhooks/" + hook[0]).json().get("failingSince")).isNotNull();

    receiver.down = false;

    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received.size() >= 10);
    for (String id : ids) {
      assertThat(receiver.types(id)).containsExactly("message.queued", "message.sent");
    }
    // Strictly in event order: all five queued events were committed before the first sent one.
    assertThat(receiver.types().subList(0, 5)).containsOnly("message.queued");
    assertThat(receiver.received).allSatisfy(r -> assertThat(r.verifies(hook[1])).isTrue());
    JsonNode endpoint = http.get("/api/webhooks/" + hook[0]).json();
    assertThat(endpoint.get("enabled").asBoolean()).isTrue();
    assertThat(endpoint.get("failingSince")).isNull();
    JsonNode first =
        http.get("/api/webhooks/" + hook[0] + "/deliveries?limit=1000").json().get("deliveries");
    assertThat(first.get(first.size() - 1).get("attempts").asInt()).isGreaterThan(1);
  }

  @Test
  void a_hanging_endpoint_of_one_client_does_not_hold_up_another_clients_events() {
    Http a = sender("hooks-a");
    Http b = sender("hooks-b");
    SignedReceiver slow = receiver();
    SignedReceiver fast = receiver();
    slow.hang = new CountDownLatch(1);
    endpoint(a, slow.url(), null);
    endpoint(b, fast.url(), null);

    send(a, "");
    String mine = send(b, "");
    dispatch.sent(UUID.fromString(mine), Instant.now(), null);

    await().atMost(Duration.ofSeconds(10)).until(() -> fast.received.size() >= 2);
    assertThat(fast.types(mine)).containsExactly("message.queued", "message.sent");
    assertThat(slow.received).isEmpty();
    slow.hang.countDown();
  }

  @Test
  void a_replay_sends_exactly_the_event_or_range_asked_for_again() {
    SignedReceiver receiver = receiver();
    String[] hook = endpoint(http, receiver.url(), "[\"message.sent\"]");
    String first = send(http, "");
    dispatch.sent(UUID.fromString(first), Instant.now(), null);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received.size() >= 1);
    Instant between = Instant.now();
    String second = send(http, "");
    dispatch.sent(UUID.fromString(second), Instant.now(), null);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received.size() >= 2);
    assertThat(receiver.types()).containsExactly("message.sent", "message.sent");

    String eventId = receiver.received.get(0).id();
    Http.Answer one =
        http.postJson("/api/webhooks/" + hook[0] + "/replay", "{\"eventId\": \"" + eventId + "\"}");
    assertThat(one.status()).isEqualTo(202);
    assertThat(one.json().get("queued").asInt()).isEqualTo(1);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received.size() >= 3);
    assertThat(receiver.received.get(2).id()).isEqualTo(eventId);
    assertThat(receiver.received.get(2).verifies(hook[1])).isTrue();

    // The range holds the second message's queued and sent events; the replay sends every event
    // of the range, as recorded.
    Http.Answer range =
        http.postJson(
            "/api/webhooks/" + hook[0] + "/replay",
            "{\"from\": \"" + between + "\", \"to\": \"" + Instant.now().plusSeconds(1) + "\"}");
    assertThat(range.json().get("queued").asInt()).isEqualTo(2);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received.size() >= 5);
    assertThat(receiver.types(second))
        .containsExactly("message.sent", "message.queued", "message.sent");
    assertThat(http.postJson("/api/webhooks/" + hook[0] + "/replay", "{}").status()).isEqualTo(400);
  }

  @Test
  void every_payload_carries_the_messages_tags_and_metadata_and_nothing_of_its_content() {
    SignedReceiver receiver = receiver();
    endpoint(http, receiver.url(), null);
    String labelled =
        send(
            http,
            ", \"tags\": {\"kind\": \"receipt\", \"campaign\": \"spring\"},"
                + " \"metadata\": {\"order\": \"42\", \"shop-ref\": \"a\\\"b\"}");
    String plain = send(http, "");
    dispatch.sent(UUID.fromString(labelled), Instant.now(), null);
    dispatch.deadLetter(UUID.fromString(plain), Instant.now(), FailureClass.PERMANENT, 550, 1);

    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(receiver.types()).hasSize(4));
    List<JsonNode> labelledData =
        receiver.received.stream()
            .filter(r -> r.messageId().equals(labelled))
            .map(r -> r.json().get("data"))
            .toList();
    assertThat(labelledData).hasSize(2);
    for (JsonNode data : labelledData) {
      assertThat(data.get("tags").get("kind").asString()).isEqualTo("receipt");
      assertThat(data.get("tags").get("campaign").asString()).isEqualTo("spring");
      assertThat(data.get("metadata").get("order").asString()).isEqualTo("42");
      assertThat(data.get("metadata").get("shop-ref").asString()).isEqualTo("a\"b");
    }
    for (SignedReceiver.Received r : receiver.received) {
      if (r.messageId().equals(plain)) {
        assertThat(r.json().get("data").has("tags")).isFalse();
        assertThat(r.json().get("data").has("metadata")).isFalse();
      }
      assertThat(new String(r.body(), java.nio.charset.StandardCharsets.UTF_8))
          .doesNotContain("ann@example.com")
          .doesNotContain("\"subject\"");
    }
  }

  @Test
  void an_endpoint_failing_for_longer_than_the_limit_is_disabled_and_can_be_enabled_again(
      CapturedOutput output) {
    SignedReceiver receiver = receiver();
    receiver.down = true;
    String[] hook = endpoint(http, receiver.url(), null);
    send(http, "");
    await().atMost(Duration.ofSeconds(10)).until(() -> !receiver.refused.isEmpty());

    clock.advance(Duration.ofHours(25));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !http.get("/api/webhooks/" + hook[0]).json().get("enabled").asBoolean());
    int refusedWhenDisabled = receiver.refused.size();
    assertThat(http.get("/api/webhooks/" + hook[0]).json().get("disabledReason").asString())
        .startsWith("failing since");
    // The admin alerts hear of it once, naming the endpoint and its client.
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> output.getAll().contains("rule=webhook_endpoint_disabled"));
    String alert =
        output
            .getAll()
            .lines()
            .filter(l -> l.contains("event=alert rule=webhook_endpoint_disabled"))
            .reduce(
                (a, b) -> {
                  throw new AssertionError("notified twice: " + a + " / " + b);
                })
            .orElseThrow();
    assertThat(alert)
        .contains("state=FIRING")
        .contains("endpoint_id=" + hook[0])
        .contains("client_id=admin");

    receiver.down = false;
    assertThat(http.postJson("/api/webhooks/" + hook[0] + "/enable", "").status()).isEqualTo(200);
    await().atMost(Duration.ofSeconds(10)).until(() -> receiver.received.size() >= 1);
    assertThat(receiver.types()).containsExactly("message.queued");
    assertThat(receiver.refused.size()).isEqualTo(refusedWhenDisabled);
  }

  @Test
  void endpoints_are_per_client_and_bad_ones_are_refused_with_a_problem() {
    Http a = sender("hooks-own-a");
    Http b = sender("hooks-own-b");
    String[] hook = endpoint(a, "http://127.0.0.1:9/hook", null);

    assertThat(b.get("/api/webhooks/" + hook[0]).status()).isEqualTo(404);
    assertThat(b.method("DELETE", "/api/webhooks/" + hook[0]).status()).isEqualTo(404);
    assertThat(b.get("/api/webhooks").json().get("webhooks")).isEmpty();
    assertThat(a.get("/api/webhooks").json().get("webhooks")).hasSize(1);

    Http.Answer bad =
        a.postJson(
            "/api/webhooks", "{\"url\": \"ftp://x.example/\", \"eventTypes\": [\"message.nope\"]}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.contentType()).startsWith("application/problem+json");
    assertThat(bad.body()).contains("url").contains("eventTypes[0]");

    assertThat(a.method("DELETE", "/api/webhooks/" + hook[0]).status()).isEqualTo(204);
    assertThat(a.get("/api/webhooks/" + hook[0]).status()).isEqualTo(404);
  }
}
