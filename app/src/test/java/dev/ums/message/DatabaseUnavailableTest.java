package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.TestSupportConfig;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * UMS pointed at a PostgreSQL port where nothing listens, with the pool's own connection timeout (3
 * s, application.yml): requests wait for it as in production.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.datasource.url=jdbc:postgresql://127.0.0.1:9/ums",
      "spring.datasource.hikari.initialization-fail-timeout=-1",
      "spring.flyway.enabled=false",
      "ums.dispatch.enabled=false",
      "spring.profiles.active=dev",
      "ums.crypto.dev-keyset-path=target/test-keyset.json"
    })
@Import(TestSupportConfig.class)
class DatabaseUnavailableTest {

  @Autowired Http http;

  @Test
  void accept_answers_503_with_retry_after_when_the_database_is_unreachable() {
    // The key cannot be checked either: the answer is still a 503, not a 401 or a 500.
    Answer a = http.postJson("/api/messages", "{\"to\": [\"a@example.com\"], \"text\": \"x\"}");

    assertThat(a.status()).isEqualTo(503);
    assertThat(a.header("Retry-After")).isEqualTo("5");
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.body()).doesNotContain("Exception").doesNotContain("127.0.0.1");
  }

  @Test
  void status_read_answers_503_when_the_database_is_unreachable() {
    Answer a = http.get("/api/messages/0190f0c2-7f3a-7000-8000-000000000000");

    assertThat(a.status()).isEqualTo(503);
    assertThat(a.header("Retry-After")).isEqualTo("5");
  }

  @Test
  void readiness_answers_503_within_about_a_second_although_the_pool_waits_3_s_for_a_connection() {
    assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200); // web stack warm

    for (int i = 0; i < 3; i++) {
      long t0 = System.nanoTime();
      Answer ready = http.get("/actuator/health/readiness");
      Duration took = Duration.ofNanos(System.nanoTime() - t0);

      assertThat(ready.status()).isEqualTo(503);
      assertThat(ready.json().get("components").get("db").get("status").asString())
          .isEqualTo("DOWN");
      assertThat(took).as("answer %d", i).isLessThan(Duration.ofMillis(2_000));
    }
  }

  @Test
  void readiness_is_down_and_liveness_up_when_the_database_is_unreachable() {
    Answer ready = http.get("/actuator/health/readiness");
    assertThat(ready.status()).isEqualTo(503);
    assertThat(ready.json().get("status").asString()).isEqualTo("DOWN");
    assertThat(ready.json().get("components").get("db").get("status").asString()).isEqualTo("DOWN");

    Answer live = http.get("/actuator/health/liveness");
    assertThat(live.status()).isEqualTo(200);

    Answer health = http.get("/actuator/health");
    assertThat(health.status()).isEqualTo(503);
    assertThat(health.json().get("components").get("backlog").get("status").asString())
        .isEqualTo("UNKNOWN");
  }
}
