package dev.ums.console;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.failure.DeadLetters;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.ManualDispatch;
import dev.ums.testing.TestSmtp;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The console in a real headless Chromium against a UMS whose dispatcher delivers to a real SMTP
 * server (GreenMail): sign in, find, re-drive and watch delivery, bulk re-drive, keys, sign out.
 * Each page it visits is written to {@code target/console-screenshots/}.
 */
@DispatchIntegrationTest
class ConsoleBrowserTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired OutboxDispatcher dispatcher;
  @Autowired ManualDispatch manual;
  DeadLetters dead;

  static Browser browser;

  @BeforeEach
  void fresh() {
    dead = new DeadLetters(http, db, manual);
    if (browser == null) {
      browser = new Browser(http.base());
    }
    browser.size(1280, 1000);
    browser.resetSession();
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.close();
      browser = null;
    }
  }

  /** A message to {@code to}, scheduled a day ahead so the dispatcher leaves it alone. */
  UUID scheduled(String to) {
    Http.Answer a =
        http.postJson(
            "/api/messages",
            "{\"to\": [\""
                + to
                + "\"], \"subject\": \"Console subject\", \"text\": \"console body\", \"sendAt\":"
                + " \""
                + Instant.now().plus(Duration.ofDays(1))
                + "\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    return UUID.fromString(a.json().get("id").asString());
  }

  /** A dead letter to {@code to}, made while the context's dispatcher is stopped. */
  UUID deadLetter(String to) {
    return dead.failedWhileStopped(dispatcher, to);
  }

  String status(UUID id) {
    return http.get("/api/messages/" + id).json().get("status").asString();
  }

  long received(UUID id) {
    String messageId = "<" + id + "@test.ums>";
    return TestSmtp.received().stream()
        .filter(m -> messageId.equals(TestSmtp.messageId(m)))
        .count();
  }

  @Test
  void an_admin_signs_in_and_sees_the_overview_at_desktop_and_phone_width() {
    deadLetter("ann@overview.example");
    browser.signIn(Http.ADMIN_KEY);

    assertThat(browser.path()).isEqualTo("/console");
    assertThat(browser.text("h1")).isEqualTo("Overview");
    assertThat(browser.text("#count-FAILED")).isEqualTo("1");
    assertThat(browser.find("svg[role=img] desc").getAttribute("textContent"))
        .contains("failed attempts: 1");
    assertThat(browser.text("#health-dispatcher")).contains("UP");
    browser.screenshot("overview");

    browser.size(390, 844);
    assertThat(browser.find("#sign-out").isDisplayed()).isTrue();
    browser.screenshot("overview-phone");
  }

  @Test
  void a_sender_key_cannot_sign_in() {
    String sender =
        http.postJson(
                "/api/admin/keys",
                "{\"clientId\": \"console-shop\", \"role\": \"SENDER\", \"name\": \"t\"}")
            .json()
            .get("key")
            .asString();

    browser.signIn(sender);

    assertThat(browser.path()).isEqualTo("/console/sign-in");
    assertThat(browser.text(".error")).contains("Only an ADMIN key can sign in");
    assertThat(browser.driver().findElements(By.id("sign-out"))).isEmpty();
    browser.screenshot("sign-in-refused");
    browser.open("/console");
    assertThat(browser.path()).isEqualTo("/console/sign-in");
  }

  @Test
  void finds_a_message_by_recipient_without_showing_the_address() {
    UUID mine = scheduled("zed.console@find.example");
    scheduled("someone.else@find.example");
    browser.signIn(Http.ADMIN_KEY);

    browser.open("/console/messages");
    browser.type("#f-recipient", "Zed.Console@find.example");
    browser.click("#find");

    assertThat(browser.driver().findElements(By.cssSelector("#results tbody tr"))).hasSize(1);
    assertThat(browser.text("#results")).contains(mine.toString()).doesNotContain("zed.console");
    browser.screenshot("messages");
    assertThat(browser.driver().getCurrentUrl()).doesNotContain("zed"); // searched by POST
    assertThat(http.get("/api/admin/audit?limit=5").body()).contains("message.search");

    browser.click("#results a");
    assertThat(browser.text("#message-status")).isEqualTo("QUEUED");
    assertThat(browser.driver().getPageSource())
        .doesNotContain("zed.console")
        .doesNotContain("Console subject");
  }

  @Test
  void a_redriven_dead_letter_is_watched_until_it_is_sent() {
    UUID id = deadLetter("ann@redrive.example");
    browser.signIn(Http.ADMIN_KEY);

    browser.open("/console/dead-letters");
    assertThat(browser.text("#dead-letters")).contains(id.toString());
    browser.screenshot("dead-letters");
    browser.click("#dead-letters a[href='/console/messages/" + id + "']");
    assertThat(browser.text("#message-status")).isEqualTo("FAILED");
    assertThat(browser.text("#failures")).contains("attempt 1 failed");
    browser.screenshot("message-failed");

    browser.click("#redrive");
    assertThat(browser.text("h1")).isEqualTo("Re-drive 1 message?");
    browser.screenshot("redrive-confirm");
    browser.click("#confirm");

    assertThat(browser.path()).isEqualTo("/console/messages/" + id);
    assertThat(browser.text(".notice")).contains("Re-drove 1 message");
    // The status block re-reads itself (htmx) while the message moves: no reload here.
    browser.waitForText("#message-status", "SENT", Duration.ofSeconds(20));
    browser.screenshot("message-sent");
    assertThat(received(id)).isEqualTo(1);
    assertThat(browser.text("#failures")).contains("550"); // the history stays
  }

  @Test
  void a_bulk_redrive_by_domain_confirms_its_count_then_delivers_those_only() {
    UUID a = deadLetter("a@bulk.example");
    UUID b = deadLetter("b@bulk.example");
    UUID other = deadLetter("c@other.example");
    browser.signIn(Http.ADMIN_KEY);

    browser.open("/console/dead-letters");
    browser.type("#d-domain", "bulk.example");
    browser.click("#bulk");
    assertThat(browser.text("#count")).isEqualTo("2");
    assertThat(browser.text("#confirm")).isEqualTo("Re-drive 2 messages");
    browser.screenshot("bulk-redrive-confirm");
    browser.click("#confirm");

    assertThat(browser.text("#done")).isEqualTo("2");
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> status(a).equals("SENT") && status(b).equals("SENT"));
    assertThat(received(a)).isEqualTo(1);
    assertThat(received(b)).isEqualTo(1);
    assertThat(status(other)).isEqualTo("FAILED");
    assertThat(received(other)).isZero();
  }

  @Test
  void an_admin_creates_a_key_sees_it_once_and_revokes_it() {
    browser.signIn(Http.ADMIN_KEY);
    browser.open("/console/keys");
    browser.type("#k-client", "console-made");
    browser.type("#k-name", "made in the console");
    browser.click("#create-key");

    String key = browser.find("#new-key").getAttribute("value");
    assertThat(key).startsWith("ums_").hasSize(36);
    browser.screenshot("key-created");
    assertThat(http.as(key).get("/api/messages/" + UUID.randomUUID()).status()).isEqualTo(404);

    browser.click("#back-to-keys");
    assertThat(browser.driver().getPageSource()).doesNotContain(key);
    browser.screenshot("keys");
    String label =
        browser.find("#keys tbody tr:last-child code").getText(); // keys are listed oldest first
    browser.click("#revoke-" + label);
    assertThat(browser.text("h1")).isEqualTo("Revoke 1 key?");
    browser.click("#confirm");
    assertThat(browser.text(".notice")).contains("Revoked 1 key");
    assertThat(http.as(key).get("/api/messages/" + UUID.randomUUID()).status()).isEqualTo(401);

    browser.open("/console/audit");
    assertThat(browser.text("#audit")).contains("key.create").contains("key.revoke");
    browser.screenshot("audit");
  }

  @Test
  void a_state_changing_request_without_the_form_token_is_refused() {
    browser.signIn(Http.ADMIN_KEY);
    UUID id = deadLetter("ann@csrf.example");
    var session = browser.sessionCookie();
    assertThat(session).isNotNull();

    // The browser's own session, but a form posted from elsewhere: no _csrf field.
    java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
    java.net.http.HttpRequest forged =
        java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(http.base() + "/console/dead-letters/" + id + "/redrive"))
            .header("Cookie", "UMS_CONSOLE=" + session.getValue())
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(java.net.http.HttpRequest.BodyPublishers.ofString(""))
            .build();
    HttpResponse<String> r;
    try {
      r = client.send(forged, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("Request refused");
    assertThat(status(id)).isEqualTo("FAILED");
    // The session itself is untouched: the browser goes on.
    browser.open("/console/messages/" + id);
    assertThat(browser.text("#message-status")).isEqualTo("FAILED");
  }

  @Test
  void signing_out_ends_the_session() {
    browser.signIn(Http.ADMIN_KEY);
    var session = browser.sessionCookie();
    browser.click("#sign-out");

    assertThat(browser.path()).isEqualTo("/console/sign-in?signed-out");
    assertThat(browser.text(".notice")).isEqualTo("You are signed out.");
    browser.screenshot("signed-out");
    browser.open("/console/keys");
    assertThat(browser.path()).startsWith("/console/sign-in");
    // The old cookie, replayed, is worth nothing.
    ConsoleClient replay = new ConsoleClient(http.base());
    HttpResponse<String> r =
        replay.post("/console/keys", Map.of("clientId", "x", "role", "ADMIN", "_csrf", "whatever"));
    assertThat(r.statusCode()).isIn(302, 403);
    assertThat(session).isNotNull();
    assertThat(List.of(http.get("/api/admin/keys").body())).noneMatch(b -> b.contains("\"x\""));
  }
}
