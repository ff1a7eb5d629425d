package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.email.EmailSender;
import dev.ums.ledger.DeliveryMode;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.MessageEvent;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.TestSmtp;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Test-mode keys end to end (key API, intake, ledger, dispatcher, capture read): their mail runs
 * the whole pipeline and is recorded {@code SENT}, but no SMTP connection is opened for it, while a
 * live key of the same client reaches the relay.
 */
@DispatchIntegrationTest
class TestModeDeliveryTest {

  @Autowired Http http;
  @Autowired EmailSender sender;
  @Autowired Ledger ledger;

  private String key(String clientId, String mode) {
    String body =
        mode == null
            ? "{\"clientId\": \"%s\", \"role\": \"SENDER\"}".formatted(clientId)
            : "{\"clientId\": \"%s\", \"role\": \"SENDER\", \"mode\": \"%s\"}"
                .formatted(clientId, mode);
    Http.Answer a = http.postJson("/api/admin/keys", body);
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    assertThat(a.json().get("info").get("mode").asString()).isEqualTo(mode == null ? "live" : mode);
    return a.json().get("key").asString();
  }

  private static String post(Http as, String to, String marker) {
    Http.Answer a =
        as.postJson(
            "/api/messages",
            """
            {"to": ["%s"], "subject": "order %s", "text": "body %s", "tags": {"kind": "receipt"}}
            """
                .formatted(to, marker, marker));
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    return a.json().get("id").asString();
  }

  private static String status(Http as, String id) {
    return as.get("/api/messages/" + id).json().get("status").asString();
  }

  private static double sample(String scrape, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+\\-]+)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  private String scrape() {
    return http.get("/actuator/prometheus").body();
  }

  @Test
  void a_test_key_runs_the_pipeline_to_sent_without_any_smtp_connection() {
    Http test = http.as(key("shop", "test"));
    String scrapeBefore = scrape();
    int opened = sender.connectionsOpened();
    int received = TestSmtp.received().size();

    String id = post(test, "ann@example.com", "tm-1");
    await().atMost(Duration.ofSeconds(30)).until(() -> status(test, id).equals("SENT"));

    assertThat(sender.connectionsOpened()).as("SMTP connections").isEqualTo(opened);
    assertThat(TestSmtp.received()).hasSize(received);
    Http.Answer view = test.get("/api/messages/" + id);
    assertThat(view.json().get("mode").asString()).isEqualTo("test");
    assertThat(view.json().get("tags").get("kind").asString()).isEqualTo("receipt");
    List<MessageEvent> events = ledger.events(UUID.fromString(id));
    assertThat(events)
        .extracting(e -> e.type().wireName())
        .contains("message.queued", "message.sent");
    assertThat(events).allSatisfy(e -> assertThat(e.mode()).isEqualTo(DeliveryMode.TEST));

    String scrapeAfter = scrape();
    assertThat(sample(scrapeAfter, "ums_dispatch_sent_total{mode=\"test\"}"))
        .isEqualTo(sample(scrapeBefore, "ums_dispatch_sent_total{mode=\"test\"}") + 1);
    assertThat(sample(scrapeAfter, "ums_dispatch_sent_total{mode=\"live\"}"))
        .isEqualTo(sample(scrapeBefore, "ums_dispatch_sent_total{mode=\"live\"}"));
  }

  @Test
  void a_live_key_of_the_same_client_still_reaches_the_relay() {
    Http live = http.as(key("shop", null));
    int received = TestSmtp.received().size();

    String id = post(live, "bob@example.com", "lm-1");
    await().atMost(Duration.ofSeconds(30)).until(() -> status(live, id).equals("SENT"));

    assertThat(TestSmtp.received()).hasSize(received + 1);
    assertThat(live.get("/api/messages/" + id).json().get("mode").asString()).isEqualTo("live");
    assertThat(ledger.events(UUID.fromString(id)))
        .allSatisfy(e -> assertThat(e.mode()).isEqualTo(DeliveryMode.LIVE));
    assertThat(live.get("/api/messages/" + id + "/captured").status())
        .as("live mail is not captured")
        .isEqualTo(404);
  }

  @Test
  void captured_content_is_readable_by_its_own_client_only() {
    Http test = http.as(key("shop", "test"));
    Http otherTest = http.as(key("other", "test"));
    Http otherLive = http.as(key("other", null));
    String id = post(test, "Ann <ann@example.com>", "tm-2");
    await().atMost(Duration.ofSeconds(30)).until(() -> status(test, id).equals("SENT"));

    Http.Answer captured = test.get("/api/messages/" + id + "/captured");
    assertThat(captured.status()).as(captured.body()).isEqualTo(200);
    assertThat(captured.json().get("to").get(0).asString()).isEqualTo("Ann <ann@example.com>");
    assertThat(captured.json().get("subject").asString()).isEqualTo("order tm-2");
    assertThat(captured.json().get("text").asString()).isEqualTo("body tm-2");

    assertThat(otherTest.get("/api/messages/" + id + "/captured").status()).isEqualTo(404);
    assertThat(otherTest.get("/api/messages/" + id).status()).isEqualTo(404);
    assertThat(otherLive.get("/api/messages/" + id).status()).isEqualTo(404);
    String others = post(otherLive, "carl@example.com", "lm-2");
    assertThat(test.get("/api/messages/" + others).status()).isEqualTo(404);
    assertThat(http.get("/api/messages/" + id + "/captured").status())
        .as("an admin of another client reads content through the audited admin API")
        .isEqualTo(404);
  }

  @Test
  void magic_recipients_decide_the_outcome_in_test_mode_too() {
    Http test = http.as(key("shop", "test"));
    String bounce = post(test, "bounce@magic.ums.test", "tm-3");
    await().atMost(Duration.ofSeconds(30)).until(() -> status(test, bounce).equals("FAILED"));
    assertThat(test.get("/api/messages/" + bounce + "/captured").status()).isEqualTo(404);
    assertThat(ledger.events(UUID.fromString(bounce)))
        .extracting(e -> e.type().wireName())
        .contains("message.failed");
  }

  @Test
  void a_key_mode_other_than_live_or_test_is_refused_and_listings_show_the_mode() {
    Http.Answer bad =
        http.postJson(
            "/api/admin/keys",
            "{\"clientId\": \"shop\", \"role\": \"SENDER\", \"mode\": \"sandbox\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.contentType()).startsWith("application/problem+json");
    assertThat(bad.body()).contains("\"field\":\"mode\"");

    key("listed", "test");
    assertThat(http.get("/api/admin/keys").json().get("keys"))
        .anySatisfy(
            k -> {
              assertThat(k.get("clientId").asString()).isEqualTo("listed");
              assertThat(k.get("mode").asString()).isEqualTo("test");
            });
  }
}
