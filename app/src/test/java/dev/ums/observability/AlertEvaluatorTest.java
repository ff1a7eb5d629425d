package dev.ums.observability;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.ums.email.SmtpProperties;
import dev.ums.testing.Relays;
import dev.ums.testing.TestClock;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import dev.ums.webhook.WebhookEndpointDisabled;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Each alert rule firing and clearing, the cool-down, and the signed webhook against a real local
 * HTTP receiver. The evaluator is built by hand with a settable clock; no Spring context.
 */
@ExtendWith(OutputCaptureExtension.class)
class AlertEvaluatorTest {

  static final String SECRET = "s3cret";

  final TestClock clock = new TestClock();
  final WebhookReceiver receiver = new WebhookReceiver();
  final AtomicLong deadLetters = new AtomicLong();
  volatile Duration oldestDueAge = Duration.ZERO;
  volatile Instant relayDownSince;
  volatile Instant breakerOpenSince;
  DeliveryWindow window;
  AlertProperties props;
  AlertEvaluator evaluator;

  @BeforeEach
  void setUp() {
    props =
        new AlertProperties(
            true,
            Duration.ofSeconds(30),
            Duration.ofMinutes(15),
            Duration.ofMinutes(10),
            Duration.ofMinutes(2),
            new AlertProperties.FailureRatio(0.2, Duration.ofMinutes(5), 20),
            webhook(3));
    window = new DeliveryWindow(props.failureRatio().window(), clock);
    evaluator = evaluator(props, signalsReadingRelay(null));
  }

  @AfterEach
  void tearDown() {
    receiver.close();
  }

  AlertProperties.Webhook webhook(int attempts) {
    return new AlertProperties.Webhook(
        receiver.url(),
        SECRET,
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        attempts,
        Duration.ofMillis(5));
  }

  /** Runs every attempt, retries included, on the calling thread: delivery is synchronous here. */
  static final AlertNotifier.Delivery IMMEDIATE =
      new AlertNotifier.Delivery() {
        @Override
        public void now(Runnable attempt) {
          attempt.run();
        }

        @Override
        public void after(Duration delay, Runnable attempt) {
          attempt.run();
        }
      };

  AlertEvaluator evaluator(AlertProperties p, AlertSignals signals) {
    AlertNotifier notifier =
        new AlertNotifier(p.webhook(), JsonMapper.builder().build(), IMMEDIATE);
    return new AlertEvaluator(p, signals, notifier, clock);
  }

  /** Signals from the fields above; relay state from {@code probe} when given. */
  AlertSignals signalsReadingRelay(RelayProbe probe) {
    return new AlertSignals() {
      @Override
      public DeliveryWindow.Counts delivery() {
        return window.counts();
      }

      @Override
      public long deadLetters() {
        return deadLetters.get();
      }

      @Override
      public Duration oldestDueAge() {
        return oldestDueAge;
      }

      @Override
      public Instant relayDownSince() {
        return probe == null ? relayDownSince : probe.check().downSince();
      }

      @Override
      public Instant relayBreakerOpenSince() {
        return breakerOpenSince;
      }
    };
  }

  @Test
  void relay_breaker_open_fires_while_the_breaker_is_open_and_resolves_when_it_closes() {
    breakerOpenSince = clock.instant();
    clock.advance(Duration.ofSeconds(45));
    evaluator.evaluate();
    JsonNode firing = only();
    assertThat(firing.get("rule").asString()).isEqualTo("relay_breaker_open");
    assertThat(firing.get("value").asDouble()).isCloseTo(45.0, within(1.0));

    breakerOpenSince = null;
    evaluator.evaluate();
    assertThat(only().get("state").asString()).isEqualTo("RESOLVED");
  }

  void attempts(int ok, int failed) {
    for (int i = 0; i < ok; i++) {
      window.record(false);
    }
    for (int i = 0; i < failed; i++) {
      window.record(true);
    }
  }

  JsonNode only() {
    assertThat(receiver.received).hasSize(1);
    JsonNode n = receiver.bodies().get(0);
    receiver.clear();
    return n;
  }

  @Test
  void failure_ratio_fires_above_the_threshold_and_resolves_when_the_window_slides_past() {
    attempts(15, 5); // 25 % of 20 attempts
    evaluator.evaluate();

    JsonNode firing = only();
    assertThat(firing.get("rule").asString()).isEqualTo("failure_ratio");
    assertThat(firing.get("state").asString()).isEqualTo("FIRING");
    assertThat(firing.get("severity").asString()).isEqualTo("critical");
    assertThat(firing.get("value").asDouble()).isEqualTo(0.25);
    assertThat(firing.get("threshold").asDouble()).isEqualTo(0.2);
    assertThat(firing.get("text").asString())
        .startsWith("[FIRING] UMS failure_ratio")
        .contains("0.25");
    assertThat(firing.get("time").asString()).isNotBlank();
    assertThat(evaluator.firing()).containsExactly(AlertRule.FAILURE_RATIO);

    clock.advance(Duration.ofMinutes(6)); // the failures leave the window
    attempts(20, 0);
    evaluator.evaluate();

    JsonNode resolved = only();
    assertThat(resolved.get("state").asString()).isEqualTo("RESOLVED");
    assertThat(resolved.get("id").asString()).isEqualTo(firing.get("id").asString());
    assertThat(evaluator.firing()).isEmpty();
  }

  @Test
  void failure_ratio_stays_quiet_below_the_minimum_volume() {
    attempts(5, 10); // 67 % but only 15 attempts
    evaluator.evaluate();

    assertThat(receiver.received).isEmpty();
    assertThat(evaluator.firing()).isEmpty();
  }

  @Test
  void backlog_age_fires_past_the_threshold_and_resolves_when_the_backlog_drains() {
    oldestDueAge = Duration.ofMinutes(9);
    evaluator.evaluate();
    assertThat(receiver.received).isEmpty();

    oldestDueAge = Duration.ofMinutes(11);
    evaluator.evaluate();
    JsonNode firing = only();
    assertThat(firing.get("rule").asString()).isEqualTo("backlog_age");
    assertThat(firing.get("value").asDouble()).isEqualTo(660.0);
    assertThat(firing.get("threshold").asDouble()).isEqualTo(600.0);

    oldestDueAge = null; // outbox unreadable: keep the state, say nothing
    evaluator.evaluate();
    assertThat(receiver.received).isEmpty();
    assertThat(evaluator.firing()).containsExactly(AlertRule.BACKLOG_AGE);

    oldestDueAge = Duration.ZERO;
    evaluator.evaluate();
    assertThat(only().get("state").asString()).isEqualTo("RESOLVED");
  }

  @Test
  void new_dead_letters_fire_once_and_resolve_at_the_next_evaluation_without_new_ones() {
    deadLetters.addAndGet(3);
    evaluator.evaluate();
    JsonNode firing = only();
    assertThat(firing.get("rule").asString()).isEqualTo("dead_letters");
    assertThat(firing.get("value").asDouble()).isEqualTo(3.0);

    evaluator.evaluate();
    assertThat(only().get("state").asString()).isEqualTo("RESOLVED");

    evaluator.evaluate();
    assertThat(receiver.received).isEmpty();
  }

  @Test
  void dead_letters_present_before_the_evaluator_started_do_not_fire() {
    deadLetters.set(7);
    AlertEvaluator fresh = evaluator(props, signalsReadingRelay(null));

    fresh.evaluate();

    assertThat(receiver.received).isEmpty();
  }

  @Test
  void smtp_down_fires_after_the_relay_has_been_unreachable_long_enough_and_resolves_when_back()
      throws IOException {
    ScriptedSmtpServer relay = Relays.plain();
    ExecutorService checks = Executors.newCachedThreadPool();
    RelayProbe probe =
        new RelayProbe(
            new SmtpProperties(
                "127.0.0.1",
                relay.port(),
                null,
                null,
                null,
                null,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                null,
                1,
                null),
            clock,
            Duration.ofSeconds(10),
            checks);
    AlertEvaluator ev = evaluator(props, signalsReadingRelay(probe));
    try {
      ev.evaluate();
      assertThat(receiver.received).isEmpty();

      relay.greeting("421 4.3.2 Service not available"); // answers, but takes no mail
      clock.advance(Duration.ofSeconds(30));
      ev.evaluate(); // outage seen, not yet long enough
      assertThat(receiver.received).isEmpty();

      clock.advance(Duration.ofMinutes(2));
      ev.evaluate();
      JsonNode firing = only();
      assertThat(firing.get("rule").asString()).isEqualTo("smtp_down");
      assertThat(firing.get("severity").asString()).isEqualTo("critical");
      assertThat(firing.get("value").asDouble()).isCloseTo(120.0, within(1.0));

      relay.greeting("220 back");
      clock.advance(Duration.ofSeconds(30));
      ev.evaluate();
      JsonNode resolved = only();
      assertThat(resolved.get("state").asString()).isEqualTo("RESOLVED");
      assertThat(resolved.get("id").asString()).isEqualTo(firing.get("id").asString());
    } finally {
      relay.close();
      checks.shutdownNow();
    }
  }

  @Test
  void a_rule_that_keeps_firing_is_notified_once_per_cooldown_with_a_stable_id() {
    oldestDueAge = Duration.ofMinutes(20);
    evaluator.evaluate();
    String id = only().get("id").asString();

    for (int i = 0; i < 10; i++) { // 5 minutes of evaluations every 30 s
      clock.advance(Duration.ofSeconds(30));
      evaluator.evaluate();
    }
    assertThat(receiver.received).isEmpty();

    clock.advance(Duration.ofMinutes(10)); // 15 min since the first notification
    evaluator.evaluate();
    JsonNode again = only();
    assertThat(again.get("state").asString()).isEqualTo("FIRING");
    assertThat(again.get("id").asString()).isEqualTo(id);

    clock.advance(Duration.ofSeconds(30));
    evaluator.evaluate();
    assertThat(receiver.received).isEmpty();

    oldestDueAge = Duration.ZERO;
    evaluator.evaluate();
    assertThat(only().get("state").asString()).isEqualTo("RESOLVED");

    oldestDueAge = Duration.ofMinutes(20); // a new episode gets a new id
    clock.advance(Duration.ofSeconds(30));
    evaluator.evaluate();
    assertThat(only().get("id").asString()).isNotEqualTo(id);
  }

  @Test
  void every_webhook_body_is_signed_with_hmac_sha256_of_the_exact_bytes() {
    deadLetters.incrementAndGet();
    oldestDueAge = Duration.ofHours(1);
    evaluator.evaluate();

    assertThat(receiver.received).hasSize(2);
    for (WebhookReceiver.Received r : receiver.received) {
      assertThat(r.signature()).isEqualTo("sha256=" + AlertNotifier.hmacHex(SECRET, r.body()));
      assertThat(r.json().propertyNames())
          .containsExactly("id", "rule", "severity", "state", "value", "threshold", "time", "text");
    }
  }

  @Test
  void a_one_off_alert_names_what_it_is_about_and_is_never_evaluated_or_resolved() {
    AlertNotifier notifier =
        new AlertNotifier(props.webhook(), JsonMapper.builder().build(), IMMEDIATE);

    notifier.oneOff(
        AlertRule.WEBHOOK_ENDPOINT_DISABLED,
        25,
        24,
        java.util.Map.of("endpoint_id", "0190-e", "client_id", "shop"),
        clock.instant());

    assertThat(receiver.received).hasSize(1);
    assertThat(receiver.received.get(0).signature())
        .isEqualTo("sha256=" + AlertNotifier.hmacHex(SECRET, receiver.received.get(0).body()));
    JsonNode body = only();
    assertThat(body.get("rule").asString()).isEqualTo("webhook_endpoint_disabled");
    assertThat(body.get("state").asString()).isEqualTo("FIRING");
    assertThat(body.get("value").asDouble()).isEqualTo(25);
    assertThat(body.get("labels").get("endpoint_id").asString()).isEqualTo("0190-e");
    assertThat(body.get("labels").get("client_id").asString()).isEqualTo("shop");
    assertThat(body.get("text").asString()).endsWith("(client_id=shop, endpoint_id=0190-e)");
    assertThat(body.get("id").asString()).contains("0190-e");

    evaluator.evaluate();
    assertThat(receiver.received).isEmpty();
    assertThat(evaluator.firing()).doesNotContain(AlertRule.WEBHOOK_ENDPOINT_DISABLED);
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () ->
                notifier.oneOff(AlertRule.DEAD_LETTERS, 1, 0, java.util.Map.of(), clock.instant()))
        .isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The disabled-endpoint alert through Spring as the application wires it: {@link WebhookAlerts}
   * hears the event the webhook dispatcher publishes and notifies, unless {@code
   * ums.alerts.enabled=false} switched alerts off, as it switches off the evaluated ones.
   */
  ApplicationContextRunner webhookAlerts() {
    return new ApplicationContextRunner()
        .withBean(
            AlertNotifier.class,
            () -> new AlertNotifier(props.webhook(), JsonMapper.builder().build(), IMMEDIATE))
        .withUserConfiguration(WebhookAlerts.class);
  }

  static WebhookEndpointDisabled disabled(Instant at) {
    return new WebhookEndpointDisabled(
        java.util.UUID.randomUUID(),
        "shop",
        at.minus(Duration.ofHours(25)),
        at,
        Duration.ofHours(24));
  }

  @Test
  void a_disabled_webhook_endpoint_is_alerted_while_alerts_are_on() {
    webhookAlerts()
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              ctx.publishEvent(disabled(clock.instant()));
            });

    assertThat(only().get("rule").asString()).isEqualTo("webhook_endpoint_disabled");
  }

  @Test
  void a_disabled_webhook_endpoint_is_not_alerted_when_alerts_are_off(CapturedOutput output) {
    webhookAlerts()
        .withPropertyValues("ums.alerts.enabled=false")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              ctx.publishEvent(disabled(clock.instant()));
            });

    assertThat(receiver.received).isEmpty();
    assertThat(output.getAll()).doesNotContain("event=alert rule=webhook_endpoint_disabled");
  }

  @Test
  void webhook_is_retried_after_server_errors_and_delivered_on_the_third_attempt() {
    receiver.script.add(500);
    receiver.script.add(503);
    deadLetters.incrementAndGet();

    evaluator.evaluate();

    assertThat(receiver.received).hasSize(3);
    assertThat(receiver.received.stream().map(r -> new String(r.body())).distinct()).hasSize(1);
    assertThat(receiver.received)
        .allSatisfy(
            r ->
                assertThat(r.signature())
                    .isEqualTo("sha256=" + AlertNotifier.hmacHex(SECRET, r.body())));
  }

  @Test
  void on_a_real_scheduler_retries_wait_their_backoff_and_then_deliver() throws Exception {
    receiver.script.add(500);
    receiver.script.add(503);
    java.util.concurrent.ScheduledExecutorService scheduler =
        java.util.concurrent.Executors.newSingleThreadScheduledExecutor();
    try {
      AlertNotifier notifier =
          new AlertNotifier(
              props.webhook(), JsonMapper.builder().build(), AlertNotifier.Delivery.on(scheduler));
      AlertEvaluator scheduled =
          new AlertEvaluator(props, signalsReadingRelay(null), notifier, clock);
      deadLetters.incrementAndGet();

      long start = System.nanoTime();
      scheduled.evaluate();

      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> receiver.received.size() == 3);
      // Backoff 5 ms then 10 ms between the three attempts.
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofMillis(15));
      assertThat(receiver.received.stream().map(r -> new String(r.body())).distinct()).hasSize(1);
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void webhook_gives_up_after_max_attempts_and_a_client_error_is_not_retried() {
    for (int i = 0; i < 5; i++) {
      receiver.script.add(502);
    }
    deadLetters.incrementAndGet();
    evaluator.evaluate();
    assertThat(receiver.received).hasSize(3);

    receiver.clear();
    receiver.script.add(400);
    deadLetters.incrementAndGet();
    evaluator.evaluate(); // still firing, within the cool-down: nothing sent
    evaluator.evaluate(); // no new dead letters: RESOLVED, answered 400 and not retried
    assertThat(receiver.received).hasSize(1);
  }

  @Test
  void without_a_secret_no_signature_is_sent() {
    AlertProperties unsigned =
        new AlertProperties(
            true,
            props.interval(),
            props.cooldown(),
            props.backlogAge(),
            props.smtpDownFor(),
            props.failureRatio(),
            new AlertProperties.Webhook(
                receiver.url(),
                null,
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                1,
                Duration.ofMillis(5)));
    AlertEvaluator ev = evaluator(unsigned, signalsReadingRelay(null));
    deadLetters.incrementAndGet();

    ev.evaluate();

    assertThat(receiver.received).hasSize(1);
    assertThat(receiver.received.get(0).signature()).isNull();
  }
}
