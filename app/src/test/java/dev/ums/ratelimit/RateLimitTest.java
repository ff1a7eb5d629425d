package dev.ums.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Over HTTP, for the client "limited" (3 requests/s, 5 messages/s in the test configuration). */
@UmsIntegrationTest
class RateLimitTest {

  static final String MAIL = "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}";

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;

  private static int round;

  /**
   * Time stands still while a test runs, so buckets refill only when it says so however slow the
   * machine; each test starts an hour later than the one before, so every bucket is full again.
   */
  @org.junit.jupiter.api.BeforeEach
  void freezeTime() {
    clock.freeze();
    clock.advance(Duration.ofHours(++round));
  }

  /** A SENDER of client {@code limited}: 3 requests/s, 5 messages/s. */
  Http limitedClient() {
    return http.as(
        http.postJson("/api/admin/keys", "{\"clientId\": \"limited\", \"role\": \"SENDER\"}")
            .json()
            .get("key")
            .asString());
  }

  @Test
  void over_the_limit_is_429_with_headers_and_nothing_stored_and_refill_lets_it_through() {
    Http limited = limitedClient();

    for (int i = 0; i < 3; i++) {
      assertThat(limited.postJson("/api/messages", MAIL).status()).isEqualTo(202);
    }
    Answer refused = limited.postJson("/api/messages", MAIL);

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.contentType()).startsWith("application/problem+json");
    assertThat(refused.json().get("type").asString()).isEqualTo("/problems/rate-limited");
    assertThat(refused.header("RateLimit-Limit")).isEqualTo("3");
    assertThat(refused.header("RateLimit-Remaining")).isEqualTo("0");
    assertThat(refused.header("RateLimit-Reset")).isEqualTo("1");
    assertThat(refused.header("Retry-After")).isEqualTo("1");
    assertThat(db.count("message")).isEqualTo(3);

    clock.advance(Duration.ofSeconds(2));
    assertThat(limited.postJson("/api/messages", MAIL).status()).isEqualTo(202);

    // A batch larger than the 5 messages/s bucket passes on a full bucket, leaving it in debt.
    clock.advance(Duration.ofSeconds(2));
    String six =
        "{\"messages\": [" + String.join(",", java.util.Collections.nCopies(6, MAIL)) + "]}";
    assertThat(limited.postJson("/api/messages/batch", six).status()).isEqualTo(202);
    Answer inDebt = limited.postJson("/api/messages", MAIL);
    assertThat(inDebt.status()).isEqualTo(429);
    assertThat(inDebt.header("RateLimit-Limit")).isEqualTo("5");
    assertThat(db.count("message")).isEqualTo(10);

    // Other clients are not affected.
    assertThat(http.postJson("/api/messages", MAIL).status()).isEqualTo(202);
  }

  @Test
  void over_the_request_rate_a_body_is_refused_429_without_being_parsed() {
    Http limited = limitedClient();

    // Unparseable bodies spend requests too: the bucket is taken before the body is read.
    for (int i = 0; i < 3; i++) {
      assertThat(limited.postJson("/api/messages", "{\"to\": [").status()).isEqualTo(400);
    }
    Answer refused = limited.postJson("/api/messages/batch", "{\"messages\": [");

    assertThat(refused.status()).isEqualTo(429);
    assertThat(refused.json().get("type").asString()).isEqualTo("/problems/rate-limited");
    assertThat(db.intakeRows()).isZero();
  }
}
