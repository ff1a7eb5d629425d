package dev.ums.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import dev.ums.testing.TestSmtp;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.Status;
import tools.jackson.databind.JsonNode;

/** Metrics, health and the ops assets against a running UMS with its dispatcher and real SMTP. */
@DispatchIntegrationTest
class ObservabilityIntegrationTest {

  private static final Pattern METRIC = Pattern.compile("\\bums_[a-z0-9_]+");

  @Autowired Http http;
  @Autowired TestClock clock;
  @Autowired OutboxDispatcher dispatcher;
  @Autowired SmtpRelayHealth relayHealth;
  @Autowired AlertEvaluator alerts;

  String send() {
    Http.Answer a =
        http.postJson("/api/messages", "{\"to\": [\"m@example.com\"], \"text\": \"hi\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    return a.json().get("id").asString();
  }

  String status(String id) {
    return http.get("/api/messages/" + id).json().get("status").asString();
  }

  String scrape() {
    Http.Answer a = http.get("/actuator/prometheus");
    assertThat(a.status()).isEqualTo(200);
    return a.body();
  }

  /** The value of one sample line, e.g. {@code ums_dispatch_sent_total}; 0 when absent. */
  static double sample(String scrape, String series) {
    Matcher m =
        Pattern.compile("(?m)^" + Pattern.quote(series) + " ([0-9.eE+\\-]+|NaN)$").matcher(scrape);
    return m.find() ? Double.parseDouble(m.group(1)) : 0;
  }

  @Test
  void delivery_counters_and_histograms_move_after_traffic() {
    String before = scrape();

    String id = send();
    await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("SENT"));

    String after = scrape();
    assertThat(sample(after, "ums_messages_accepted_total"))
        .isEqualTo(sample(before, "ums_messages_accepted_total") + 1);
    assertThat(sample(after, "ums_dispatch_sent_total{mode=\"live\"}"))
        .isEqualTo(sample(before, "ums_dispatch_sent_total{mode=\"live\"}") + 1);
    assertThat(sample(after, "ums_smtp_send_duration_seconds_count"))
        .isGreaterThan(sample(before, "ums_smtp_send_duration_seconds_count"));
    assertThat(sample(after, "ums_dispatch_accept_to_sent_seconds_count"))
        .isEqualTo(sample(before, "ums_dispatch_accept_to_sent_seconds_count") + 1);
    assertThat(sample(after, "ums_dispatch_claim_batch_size_count"))
        .isGreaterThan(sample(before, "ums_dispatch_claim_batch_size_count"));
    assertThat(after)
        .contains("ums_smtp_send_duration_seconds_bucket{le=")
        .contains("ums_dispatch_accept_to_sent_seconds_bucket{le=")
        .contains("ums_dispatch_failed_total{classification=\"PERMANENT\"}")
        .containsPattern("(?m)^ums_outbox_backlog ")
        .containsPattern("(?m)^ums_outbox_oldest_due_age ")
        .containsPattern("(?m)^ums_dispatch_active_workers ")
        .containsPattern("(?m)^ums_dispatch_inflight ")
        .doesNotContain("m@example.com")
        .doesNotContain(id);
  }

  @Test
  void a_relay_outage_counts_failed_attempts_by_classification_and_as_retried() {
    String before = scrape();
    String connection = "ums_dispatch_failed_total{classification=\"CONNECTION\"}";
    TestSmtp.stop();
    String id;
    try {
      id = send();
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> sample(scrape(), connection) > sample(before, connection));
    } finally {
      TestSmtp.start();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("SENT"));

    String after = scrape();
    assertThat(sample(after, "ums_dispatch_retried_total"))
        .isGreaterThan(sample(before, "ums_dispatch_retried_total"));
    assertThat(sample(after, "ums_dispatch_dead_lettered_total"))
        .isEqualTo(sample(before, "ums_dispatch_dead_lettered_total"));
  }

  @Test
  void health_shows_db_smtp_relay_dispatcher_and_backlog_components_all_up() {
    Http.Answer a = http.get("/actuator/health");

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode components = a.json().get("components");
    assertThat(components.propertyNames())
        .contains("db", "smtpRelay", "dispatcher", "backlog", "readinessState", "livenessState");
    for (String c : Set.of("db", "smtpRelay", "dispatcher", "backlog")) {
      assertThat(components.get(c).get("status").asString()).as(c).isEqualTo("UP");
    }
    assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
    assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
  }

  @Test
  void
      a_relay_outage_turns_smtp_relay_warn_keeps_http_200_readiness_and_liveness_and_fires_smtp_down() {
    TestSmtp.stop();
    try {
      advancePastRelayCache(Duration.ofSeconds(11));
      await().atMost(Duration.ofSeconds(5)).until(() -> component("smtpRelay").equals("WARN"));

      Http.Answer health = http.get("/actuator/health");
      assertThat(health.status()).as(health.body()).isEqualTo(200);
      assertThat(health.json().get("status").asString()).isEqualTo("WARN");
      assertThat(http.get("/actuator/health/readiness").status()).isEqualTo(200);
      assertThat(http.get("/actuator/health/liveness").status()).isEqualTo(200);
      Health relay = relayHealth.health();
      assertThat(relay.getStatus()).isEqualTo(HealthStatus.WARN);
      assertThat(relay.getDetails())
          .containsEntry("host", "127.0.0.1")
          .containsEntry("port", TestSmtp.port())
          .containsEntry("error", "ConnectException")
          .containsKey("downSince");

      advancePastRelayCache(Duration.ofMinutes(3)); // past ums.alerts.smtp-down-for (2m)
      alerts.evaluate();
      assertThat(alerts.firing()).contains(AlertRule.SMTP_DOWN);
    } finally {
      TestSmtp.start();
    }
    advancePastRelayCache(Duration.ofSeconds(11));
    alerts.evaluate();
    assertThat(alerts.firing()).doesNotContain(AlertRule.SMTP_DOWN);
    assertThat(component("smtpRelay")).isEqualTo("UP");
  }

  /** Moves the clock on and waits for a dispatcher loop at the new time, so it is not stalled. */
  void advancePastRelayCache(Duration d) {
    clock.advance(d);
    Instant moved = clock.instant();
    await().atMost(Duration.ofSeconds(5)).until(() -> !dispatcher.lastLoopAt().isBefore(moved));
  }

  String component(String name) {
    return http.get("/actuator/health").json().get("components").get(name).get("status").asString();
  }

  @Test
  void dispatcher_health_goes_down_when_the_loop_has_not_claimed_for_too_long() {
    TestClock later = new TestClock();
    DispatcherHealth health = new DispatcherHealth(dispatcher, later, Duration.ofSeconds(11));
    await().until(() -> dispatcher.lastLoopAt() != null);
    assertThat(health.health().getStatus()).isEqualTo(Status.UP);

    later.advance(Duration.ofMinutes(1));

    assertThat(health.health().getStatus()).isEqualTo(Status.DOWN);
  }

  @Test
  void every_metric_in_the_prometheus_rules_and_the_grafana_dashboard_is_in_the_scrape()
      throws IOException {
    String id = send();
    await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("SENT"));
    String scrape = scrape();

    Set<String> used = new TreeSet<>();
    for (String file : new String[] {"prometheus/alerts.yml", "grafana/ums.json"}) {
      Matcher m = METRIC.matcher(Files.readString(ops().resolve(file)));
      Set<String> inFile = new TreeSet<>();
      while (m.find()) {
        inFile.add(m.group());
      }
      assertThat(inFile).as(file).isNotEmpty();
      used.addAll(inFile);
    }

    assertThat(used)
        .allSatisfy(name -> assertThat(scrape).as(name).containsPattern("(?m)^" + name + "[{ ]"));
  }

  /** The repository's ops/ folder, from wherever the tests run. */
  static Path ops() {
    Path dir = Path.of("").toAbsolutePath();
    while (dir != null && !Files.isDirectory(dir.resolve("ops"))) {
      dir = dir.getParent();
    }
    assertThat(dir).as("ops/ folder above the working directory").isNotNull();
    return dir.resolve("ops");
  }
}
