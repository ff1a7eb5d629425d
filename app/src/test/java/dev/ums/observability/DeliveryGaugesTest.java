package dev.ums.observability;

import static dev.ums.observability.ObservabilityIntegrationTest.sample;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.test.context.TestPropertySource;

/**
 * The delivery-control gauges in the Prometheus scrape of an intake-only instance: what waits per
 * rule and per priority (rows stay as intake wrote them), and each rate-limited rule's current rate
 * and throttle counter.
 */
@UmsIntegrationTest
@TestPropertySource(
    properties = {
      "ums.delivery.domains.slow.match=slow.example",
      "ums.delivery.domains.slow.rate=10",
      "ums.delivery.domains.named.match=named.example"
    })
class DeliveryGaugesTest {

  @Autowired Http http;
  @Autowired TestClock clock;
  @Autowired OutboxStats stats;

  @AfterEach
  void refreshOnRealTime() {
    clock.reset();
    stats.refresh();
  }

  void accept(String path, String body) {
    assertThat(http.postJson(path, body).status()).isEqualTo(202);
  }

  @Test
  void waiting_rows_per_rule_and_priority_and_the_rules_rate_and_throttles_are_scraped() {
    accept(
        "/api/messages", "{\"to\": [\"a@slow.example\"], \"text\": \"x\", \"priority\": \"high\"}");
    accept(
        "/api/messages", "{\"to\": [\"b@slow.example\"], \"text\": \"x\", \"priority\": \"high\"}");
    accept("/api/messages", "{\"to\": [\"c@other.example\"], \"text\": \"x\"}");
    accept(
        "/api/messages",
        "{\"to\": [\"d@other.example\"], \"text\": \"x\", \"sendAt\": \""
            + clock.instant().plus(Duration.ofDays(1))
            + "\"}");
    // A batch is bulk unless it says otherwise.
    accept(
        "/api/messages/batch",
        "{\"messages\": [{\"to\": [\"e@named.example\"], \"text\": \"x\"},"
            + " {\"to\": [\"f@named.example\"], \"text\": \"x\"},"
            + " {\"to\": [\"g@named.example\"], \"text\": \"x\"}]}");
    stats.refresh();

    String scrape = http.get("/actuator/prometheus").body();
    assertThat(sample(scrape, "ums_delivery_waiting_rule{rule=\"slow\"}")).isEqualTo(2);
    assertThat(sample(scrape, "ums_delivery_waiting_rule{rule=\"named\"}")).isEqualTo(3);
    assertThat(sample(scrape, "ums_delivery_waiting_rule{rule=\"default\"}")).isEqualTo(2);
    assertThat(sample(scrape, "ums_delivery_waiting_priority{priority=\"high\"}")).isEqualTo(2);
    assertThat(sample(scrape, "ums_delivery_waiting_priority{priority=\"normal\"}")).isEqualTo(2);
    assertThat(sample(scrape, "ums_delivery_waiting_priority{priority=\"bulk\"}")).isEqualTo(3);
    assertThat(sample(scrape, "ums_outbox_backlog")).isEqualTo(7);
    assertThat(sample(scrape, "ums_delivery_rate_current{rule=\"slow\"}")).isEqualTo(10);
    assertThat(scrape).containsPattern("(?m)^ums_delivery_throttled_total\\{rule=\"slow\"} 0");
  }
}
