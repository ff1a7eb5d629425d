package dev.ums.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.console.ConsoleClient;
import dev.ums.testing.Http;
import dev.ums.testing.UmsIntegrationTest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The console's session rules, over plain HTTP: what the sign-in cookie looks like, that the JSON
 * API stays stateless beside it, CSRF, the shared failed-authentication limit, and revocation.
 */
@UmsIntegrationTest
class ConsoleSignInTest {

  @Autowired Http http;
  @Autowired ApiKeys keys;
  @Autowired FailedAuthLimiter limiter;

  ConsoleClient console;

  @BeforeEach
  @AfterEach
  void fresh() {
    limiter.reset();
    console = new ConsoleClient(http.base());
  }

  @Test
  void an_api_call_with_a_bearer_key_creates_no_session_and_sets_no_cookie() {
    Http.Answer sent =
        http.postJson("/api/messages", "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}");
    Http.Answer read = http.get("/api/messages/" + sent.json().get("id").asString());
    Http.Answer admin = http.get("/api/admin/stats");

    for (Http.Answer a : List.of(sent, read, admin)) {
      assertThat(a.status()).isBetween(200, 299);
      assertThat(a.headers().allValues("Set-Cookie")).isEmpty();
    }
  }

  @Test
  void a_console_session_does_not_authenticate_the_json_api() {
    assertThat(console.signIn(Http.ADMIN_KEY).statusCode()).isEqualTo(302);
    String cookie = console.get("/console").headers().firstValue("Set-Cookie").orElse("");

    // The session cookie is scoped to /console; sent to the API anyway, it is ignored there.
    Http.Answer a = http.as(null).get("/api/admin/stats");
    assertThat(a.status()).isEqualTo(401);
    assertThat(cookie).doesNotContain("Path=/api");
  }

  @Test
  void the_session_cookie_is_http_only_same_site_strict_and_scoped_to_the_console() {
    HttpResponse<String> page = console.get("/console/sign-in");
    String cookie = page.headers().firstValue("Set-Cookie").orElseThrow();

    assertThat(cookie)
        .startsWith("UMS_CONSOLE=")
        .contains("Path=/console")
        .contains("HttpOnly")
        .contains("SameSite=Strict")
        .doesNotContain("Secure"); // plain HTTP here; over TLS the container adds Secure
    assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("script-src 'self'")
        .contains("frame-ancestors 'self'");
  }

  @Test
  void signing_in_changes_the_session_id() {
    String before = cookieValue(console.get("/console/sign-in"));
    HttpResponse<String> signedIn = console.signIn(Http.ADMIN_KEY);

    assertThat(signedIn.statusCode()).isEqualTo(302);
    assertThat(signedIn.headers().firstValue("Location").orElseThrow()).endsWith("/console");
    assertThat(cookieValue(signedIn)).isNotEmpty().isNotEqualTo(before);
  }

  @Test
  void a_sign_in_without_the_form_token_is_refused() {
    console.get("/console/sign-in");
    HttpResponse<String> r = console.post("/console/sign-in", Map.of("key", Http.ADMIN_KEY));

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(console.get("/console").statusCode()).isEqualTo(302); // still signed out
  }

  @Test
  void a_sender_key_cannot_sign_in() {
    String sender = keys.create("console-sender", Role.SENDER, "t").key();

    HttpResponse<String> r = console.signIn(sender);

    assertThat(r.statusCode()).isEqualTo(403);
    assertThat(r.body()).contains("Only an ADMIN key can sign in");
    assertThat(console.get("/console").statusCode()).isEqualTo(302);
  }

  @Test
  void failed_sign_ins_spend_the_same_allowance_as_bad_api_keys() {
    String unknown = "ums_consoleNeverIssuedConsoleNeverIssued01";
    // A burst of 20, refilled at 2/s while these run: refused within a few more attempts.
    int refused = 0;
    HttpResponse<String> limited = console.signIn(unknown);
    while (limited.statusCode() == 401 && refused < 60) {
      refused++;
      limited = console.signIn(unknown);
    }

    assertThat(refused).isGreaterThanOrEqualTo(19);
    assertThat(limited.statusCode()).isEqualTo(429);
    assertThat(limited.headers().firstValue("Retry-After")).isPresent();
    // The good key is refused too, before it is looked at, and so is the API from this address.
    // (A token refilled in between would let the good key in: spend any such token first.)
    int good = 0;
    for (int tries = 0; tries < 3 && good != 429; tries++) {
      while (console.signIn(unknown).statusCode() == 401) {
        // spend what refilled
      }
      good = console.signIn(Http.ADMIN_KEY).statusCode();
    }
    assertThat(good).isEqualTo(429);
    assertThat(limitedWithinOneRefill(() -> http.as(unknown).get("/api/admin/stats").status()))
        .isTrue();
  }

  /**
   * Whether {@code attempt} is refused as over the limit, allowing for one token the bucket may
   * have refilled (2/s) since the last refusal: that one is spent as a 401, the next is a 429.
   */
  static boolean limitedWithinOneRefill(java.util.function.IntSupplier attempt) {
    int first = attempt.getAsInt();
    return first == 429 || (first == 401 && attempt.getAsInt() == 429);
  }

  @Test
  void revoking_the_key_ends_its_console_sessions_at_the_next_request() {
    ApiKeys.NewKey k = keys.create("console-admin", Role.ADMIN, "t");
    assertThat(console.signIn(k.key()).statusCode()).isEqualTo(302);
    assertThat(console.get("/console").statusCode()).isEqualTo(200);

    keys.revoke(k.info().id());

    HttpResponse<String> after = console.get("/console");
    assertThat(after.statusCode()).isEqualTo(302);
    assertThat(after.headers().firstValue("Location").orElseThrow())
        .endsWith("/console/sign-in?revoked");
    assertThat(console.get("/console").statusCode()).isEqualTo(302);
  }

  @Test
  void the_root_sends_a_browser_to_the_console_and_the_console_to_sign_in() {
    HttpResponse<String> root = console.get("/");
    assertThat(root.statusCode()).isEqualTo(302);
    assertThat(root.headers().firstValue("Location").orElseThrow()).endsWith("/console");
    HttpResponse<String> console = this.console.get("/console");
    assertThat(console.statusCode()).isEqualTo(302);
    assertThat(console.headers().firstValue("Location").orElseThrow()).endsWith("/console/sign-in");
  }

  @Test
  void sign_in_and_sign_out_are_audited_under_the_key_label() {
    assertThat(console.signIn(Http.ADMIN_KEY).statusCode()).isEqualTo(302);
    HttpResponse<String> out = console.submit("/console", "/console/sign-out", Map.of());
    assertThat(out.statusCode()).isEqualTo(302);
    assertThat(out.headers().firstValue("Location").orElseThrow())
        .endsWith("/console/sign-in?signed-out");

    var events = http.get("/api/admin/audit?limit=5").json().get("events");
    List<String> actions = new java.util.ArrayList<>();
    events.forEach(e -> actions.add(e.get("action").asString()));
    assertThat(actions).contains("console.sign_in", "console.sign_out");
    assertThat(console.get("/console").statusCode()).isEqualTo(302);
  }

  private static String cookieValue(HttpResponse<String> r) {
    return r.headers().allValues("Set-Cookie").stream()
        .filter(c -> c.startsWith("UMS_CONSOLE="))
        .map(c -> c.substring("UMS_CONSOLE=".length(), c.indexOf(';')))
        .findFirst()
        .orElse("");
  }

  @SuppressWarnings("unused")
  private static UUID id(Http.Answer a) {
    return UUID.fromString(a.json().get("id").asString());
  }
}
