package dev.ums.security;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.UmsIntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** Bad keys are refused cheaply: by shape, from memory, and per source address. */
@UmsIntegrationTest
class FailedAuthTest {

  static final String MAIL = "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}";

  @Autowired Http http;
  @Autowired ApiKeys keys;
  @Autowired FailedAuthLimiter limiter;

  @BeforeEach
  @AfterEach
  void forgetFailures() {
    limiter.reset();
  }

  @Test
  void a_malformed_bearer_token_is_401_without_a_key_look_up() {
    long before = keys.lookups();
    List<String> malformed =
        List.of(
            "not-a-key",
            "ums_short",
            "ums_" + "a".repeat(300),
            "xyz_abcdefghijklmnopqrstuvwxyz0123456789",
            "ums_abcdefghijklmnopqrstuvwxyz01234567!@",
            "ums_abcdefghijklmnopqrstuvwxyz0123456789 x");

    for (String token : malformed) {
      Answer a = http.as(token).postJson("/api/messages", MAIL);
      assertThat(a.status()).as(token).isEqualTo(401);
      assertThat(a.contentType()).startsWith("application/problem+json");
    }
    assertThat(keys.lookups()).isEqualTo(before);
  }

  @Test
  void an_unknown_key_is_looked_up_once_and_then_refused_from_memory() {
    String unknown = "ums_unknownUnknownUnknownUnknown0123456";
    long before = keys.lookups();

    for (int i = 0; i < 5; i++) {
      assertThat(http.as(unknown).postJson("/api/messages", MAIL).status()).isEqualTo(401);
    }

    assertThat(keys.lookups()).isEqualTo(before + 1);
  }

  @Test
  void an_address_over_its_failed_authentications_gets_429_with_retry_after() {
    AtomicLong n = new AtomicLong();
    List<Integer> statuses = new ArrayList<>();
    Answer limited = null;
    for (int i = 0; i < 40 && limited == null; i++) {
      Answer a =
          http.as("ums_wrongWrongWrongWrongWrongWrong" + n.incrementAndGet() + "x")
              .postJson("/api/messages", MAIL);
      statuses.add(a.status());
      if (a.status() == 429) {
        limited = a;
      }
    }

    assertThat(limited).as("statuses %s", statuses).isNotNull();
    assertThat(statuses.subList(0, 20)).containsOnly(401);
    assertThat(limited.contentType()).startsWith("application/problem+json");
    assertThat(Long.parseLong(limited.header("Retry-After"))).isPositive();
    assertThat(limited.json().get("status").asInt()).isEqualTo(429);
    // While it lasts, even a good key from that address waits: nothing is checked.
    long before = keys.lookups();
    assertThat(http.postJson("/api/messages", MAIL).status()).isEqualTo(429);
    assertThat(keys.lookups()).isEqualTo(before);

    limiter.reset();
    assertThat(http.postJson("/api/messages", MAIL).status()).isEqualTo(202);
  }

  @Test
  void the_failed_authentication_limiter_keeps_a_bounded_number_of_addresses() {
    AtomicLong now = new AtomicLong();
    FailedAuthLimiter small = new FailedAuthLimiter(1, 3, 100, now::get);

    for (int i = 0; i < 10_000; i++) {
      small.failed("10.0." + (i / 256) + "." + (i % 256));
      assertThat(small.size()).isLessThanOrEqualTo(100);
    }
    for (int i = 0; i < 3; i++) {
      small.failed("192.0.2.1");
    }
    assertThat(small.retryAfterSeconds("192.0.2.1")).isEqualTo(1);
    now.addAndGet(1_000_000_000L);
    assertThat(small.retryAfterSeconds("192.0.2.1")).isZero();
  }

  @Test
  void ipv6_addresses_count_per_64_block() {
    assertThat(FailedAuthLimiter.source("2001:db8:1:2:aaaa::1"))
        .isEqualTo(FailedAuthLimiter.source("2001:db8:1:2:bbbb::2"))
        .isNotEqualTo(FailedAuthLimiter.source("2001:db8:1:3::1"));
    assertThat(FailedAuthLimiter.source("192.0.2.7")).isEqualTo("192.0.2.7");
  }
}
