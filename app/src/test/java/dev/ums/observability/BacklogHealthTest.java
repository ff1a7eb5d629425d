package dev.ums.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

/** Backlog readings on an intake-only instance: rows stay in the outbox as intake wrote them. */
@UmsIntegrationTest
class BacklogHealthTest {

  @Autowired Http http;
  @Autowired TestClock clock;
  @Autowired OutboxStats stats;

  /**
   * The gauges and health read cached figures: refresh them on real time, so no later test reads
   * what this one's moved clock computed.
   */
  @AfterEach
  void refreshOnRealTime() {
    clock.reset();
    stats.refresh();
  }

  /** A send time one day ahead, within ums.limits.max-schedule. */
  String tomorrow() {
    return clock.instant().plus(Duration.ofDays(1)).toString();
  }

  void accept(String body) {
    assertThat(http.postJson("/api/messages", body).status()).isEqualTo(202);
  }

  @Test
  void old_due_backlog_turns_the_backlog_component_warn_with_http_200_and_shows_in_the_gauges() {
    accept("{\"to\": [\"a@example.com\"], \"text\": \"x\"}");
    accept("{\"to\": [\"b@example.com\"], \"text\": \"x\"}");
    accept("{\"to\": [\"c@example.com\"], \"text\": \"x\", \"sendAt\": \"" + tomorrow() + "\"}");
    stats.refresh();
    assertThat(stats.backlog()).isEqualTo(3);
    assertThat(stats.oldestDueAge()).isLessThan(Duration.ofMinutes(1));
    assertThat(component("backlog").get("status").asString()).isEqualTo("UP");

    clock.advance(Duration.ofMinutes(11));
    stats.refresh();

    Http.Answer health = http.get("/actuator/health");
    assertThat(health.status()).isEqualTo(200);
    assertThat(health.json().get("status").asString()).isEqualTo("WARN");
    assertThat(component("backlog").get("status").asString()).isEqualTo("WARN");
    assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);

    String scrape = http.get("/actuator/prometheus").body();
    assertThat(ObservabilityIntegrationTest.sample(scrape, "ums_outbox_backlog")).isEqualTo(3);
    assertThat(ObservabilityIntegrationTest.sample(scrape, "ums_outbox_oldest_due_age"))
        .isGreaterThanOrEqualTo(660);
  }

  @Test
  void
      scheduled_messages_alone_are_not_a_backlog_age_and_the_intake_only_instance_has_no_dispatcher_component() {
    accept("{\"to\": [\"c@example.com\"], \"text\": \"x\", \"sendAt\": \"" + tomorrow() + "\"}");
    clock.advance(Duration.ofMinutes(30));
    stats.refresh();

    assertThat(stats.backlog()).isEqualTo(1);
    assertThat(stats.oldestDueAge()).isZero();
    JsonNode components = http.get("/actuator/health").json().get("components");
    assertThat(components.get("backlog").get("status").asString()).isEqualTo("UP");
    assertThat(components.has("dispatcher")).isFalse();
    assertThat(components.has("smtpRelay")).isTrue();
  }

  JsonNode component(String name) {
    return http.get("/actuator/health").json().get("components").get(name);
  }
}
