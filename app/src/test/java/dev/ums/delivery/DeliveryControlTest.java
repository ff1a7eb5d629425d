package dev.ums.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.dispatch.DispatchProperties;
import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.dispatch.RetryPolicy;
import dev.ums.email.EmailSender;
import dev.ums.ledger.Ledger;
import dev.ums.security.ContentCipher;
import dev.ums.support.Dialect;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.Relays;
import dev.ums.testing.TestClock;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * Delivery control end to end on PostgreSQL: messages accepted over HTTP, a dispatcher with
 * delivery control claiming them, a scripted SMTP relay recording when each recipient domain was
 * sent to. Rates are checked loosely (the machine is shared): what must hold is the order of
 * events, the absence of failures and attempts, and a rate no faster than allowed.
 */
@DispatchIntegrationTest
@TestPropertySource(
    properties = {
      "ums.delivery.domains.slow.match=slow.example,*.slow.example",
      "ums.delivery.domains.slow.rate=10",
      "ums.delivery.domains.slow.connections=2",
      "ums.delivery.domains.limited.match=limited.example",
      "ums.delivery.domains.limited.rate=100"
    })
class DeliveryControlTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock testClock;
  @Autowired OutboxDispatcher contextDispatcher;
  @Autowired Ledger ledger;
  @Autowired RetryPolicy retryPolicy;
  @Autowired JsonMapper json;
  @Autowired ContentCipher cipher;
  @Autowired NamedParameterJdbcTemplate named;

  /** The rules intake matched recipients against (this class's properties). */
  @Autowired DeliveryProperties configured;

  ScriptedSmtpServer relay;
  EmailSender sender;
  ExecutorService pool;
  OutboxDispatcher dispatcher;
  DeliveryControl control;

  /** When each RCPT the relay accepted arrived, by recipient domain (System.nanoTime). */
  final Map<String, List<Long>> sentAt = new ConcurrentHashMap<>();

  @BeforeEach
  void stopContextDispatcher() {
    contextDispatcher.stop();
  }

  void start(DeliveryProperties props, Function<String, String> throttle) throws Exception {
    relay = Relays.plain();
    relay.rcptReply(
        line -> {
          String domain = line.substring(line.indexOf('@') + 1, line.indexOf('>'));
          String refusal = throttle == null ? null : throttle.apply(domain);
          if (refusal != null) {
            return refusal;
          }
          sentAt.computeIfAbsent(domain, d -> new CopyOnWriteArrayList<>()).add(System.nanoTime());
          return "250 2.1.5 Ok";
        });
    // Real time for budgets: they refill by the clock.
    sender =
        EmailSender.toRelay(
            Relays.client(
                relay, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2), 8),
            testClock);
    pool = Executors.newFixedThreadPool(8);
    DispatchProperties dp =
        new DispatchProperties(
            true,
            100,
            8,
            8,
            Duration.ofMinutes(2),
            Duration.ofMillis(100),
            Duration.ofHours(1),
            Duration.ofSeconds(30),
            Duration.ofSeconds(10),
            null,
            false,
            new DispatchProperties.Breaker(
                true, 20, 5, 0.5, Duration.ofSeconds(1), Duration.ofSeconds(30)));
    control =
        DeliveryControl.create(
            props,
            Dialect.POSTGRESQL,
            named,
            new DeliveryStats(db.jdbc(), Clock.systemUTC()),
            new SimpleMeterRegistry(),
            Clock.systemUTC());
    dispatcher =
        new OutboxDispatcher(
            ledger,
            sender,
            pool,
            retryPolicy,
            dp,
            "controlled",
            "test.ums",
            json,
            cipher,
            Clock.systemUTC(),
            control,
            null);
  }

  @AfterEach
  void stop() throws Exception {
    if (dispatcher != null) {
      dispatcher.stop();
      pool.shutdown();
      sender.close();
      relay.close();
    }
    contextDispatcher.start();
  }

  static DeliveryProperties props(
      Double maxRate, Map<String, DeliveryProperties.Rule> domains, boolean fairShare) {
    return new DeliveryProperties(
        maxRate,
        Duration.ofMillis(200),
        domains,
        new DeliveryProperties.Rule(null, null, null, true),
        new DeliveryProperties.Adaptive(
            true,
            List.of(421, 450, 451, 452),
            "too many|rate limit",
            0.5,
            Duration.ofMillis(500),
            0.05,
            Duration.ofMillis(200)),
        new DeliveryProperties.FairShare(fairShare, Map.of()));
  }

  void queue(String domain, int n, String priority) {
    for (int from = 0; from < n; from += 500) {
      StringBuilder b = new StringBuilder("{\"messages\": [");
      for (int i = from; i < Math.min(n, from + 500); i++) {
        if (i > from) {
          b.append(',');
        }
        b.append("{\"to\": [\"u")
            .append(i)
            .append('@')
            .append(domain)
            .append("\"], \"text\": \"hi\"")
            .append(priority == null ? "" : ", \"priority\": \"" + priority + "\"")
            .append('}');
      }
      b.append("]}");
      assertThat(http.postJson("/api/messages/batch", b.toString()).status()).isEqualTo(202);
    }
  }

  int sent(String domain) {
    return sentAt.getOrDefault(domain, List.of()).size();
  }

  static double seconds(List<Long> times) {
    return (times.get(times.size() - 1) - times.get(0)) / 1e9;
  }

  @Test
  void the_global_rate_holds_without_failures_or_extra_attempts() throws Exception {
    start(props(50d, Map.of(), false), null);
    queue("example.com", 150, null);
    dispatcher.start();

    await().atMost(Duration.ofSeconds(30)).until(() -> sent("example.com") == 150);

    // 150 at 50/s with a 10-token burst: at least (150 - 10) / 50 = 2.8 s.
    assertThat(seconds(sentAt.get("example.com"))).isGreaterThan(2.5);
    await().atMost(Duration.ofSeconds(5)).until(() -> db.count("outbox") == 0);
    assertThat(db.count("send_failure")).isZero();
    assertThat(db.jdbc().queryForObject("SELECT MAX(attempts) FROM message", Integer.class))
        .isEqualTo(1);
  }

  @Test
  void a_throttled_rule_waits_for_its_slot_while_other_mail_flows() throws Exception {
    start(
        props(
            null,
            Map.of(
                "slow",
                new DeliveryProperties.Rule(
                    List.of("slow.example", "*.slow.example"), 10d, 2, true)),
            false),
        null);
    queue("slow.example", 30, null);
    queue("fast.example", 600, null);
    dispatcher.start();

    await().atMost(Duration.ofSeconds(30)).until(() -> sent("fast.example") == 600);
    // The other domain drained while the slow one had barely started.
    assertThat(sent("slow.example")).isLessThan(30);
    await().atMost(Duration.ofSeconds(30)).until(() -> sent("slow.example") == 30);
    // 30 at 10/s with a 2-token burst: at least (30 - 2) / 10 = 2.8 s.
    assertThat(seconds(sentAt.get("slow.example"))).isGreaterThan(2.5);
    await().atMost(Duration.ofSeconds(5)).until(() -> db.count("outbox") == 0);
    assertThat(db.count("send_failure")).isZero();
    assertThat(db.jdbc().queryForObject("SELECT MAX(attempts) FROM message", Integer.class))
        .isEqualTo(1);
    assertThat(
            db.jdbc()
                .queryForObject(
                    "SELECT COUNT(*) FROM message WHERE delivery_rule = 'slow'", Integer.class))
        .isEqualTo(30);
  }

  @Test
  void rate_limit_replies_lower_the_rule_rate_and_lose_nothing() throws Exception {
    // The relay takes at most 20 per second for limited.example, and says so with a 421.
    List<Long> window = new ArrayList<>();
    Function<String, String> relayLimit =
        domain -> {
          if (!domain.equals("limited.example")) {
            return null;
          }
          synchronized (window) {
            long now = System.nanoTime();
            window.removeIf(t -> now - t > 1_000_000_000L);
            if (window.size() >= 20) {
              return "421 4.7.0 Too many messages, slow down";
            }
            window.add(now);
            return null;
          }
        };
    start(props(null, configured.domains(), false), relayLimit);
    queue("limited.example", 200, null);
    dispatcher.start();

    await().atMost(Duration.ofSeconds(60)).until(() -> sent("limited.example") == 200);
    await().atMost(Duration.ofSeconds(5)).until(() -> db.count("outbox") == 0);

    DeliveryControl.RuleState limited =
        control.rules().stream().filter(r -> r.name().equals("limited")).findFirst().orElseThrow();
    assertThat(limited.currentRate()).isLessThan(100d);
    assertThat(db.count("send_failure")).isPositive(); // the 421s are on record
    assertThat(
            db.jdbc()
                .queryForObject(
                    "SELECT COUNT(*) FROM message WHERE status = 'SENT'", Integer.class))
        .isEqualTo(200);
    // Rate-limit replies are not the message's fault: no attempt was charged for them.
    assertThat(db.jdbc().queryForObject("SELECT MAX(attempts) FROM message", Integer.class))
        .isEqualTo(1);
  }

  String senderKey(String client) {
    Http.Answer a =
        http.postJson(
            "/api/admin/keys", "{\"clientId\": \"" + client + "\", \"role\": \"SENDER\"}");
    assertThat(a.status()).as(a.body()).isEqualTo(201);
    return a.json().get("key").asString();
  }

  void queueAs(Http client, String domain, int n) {
    for (int from = 0; from < n; from += 500) {
      StringBuilder b = new StringBuilder("{\"messages\": [");
      for (int i = from; i < Math.min(n, from + 500); i++) {
        b.append(i > from ? "," : "")
            .append("{\"to\": [\"u")
            .append(i)
            .append('@')
            .append(domain)
            .append("\"], \"text\": \"hi\"}");
      }
      assertThat(client.postJson("/api/messages/batch", b.append("]}").toString()).status())
          .isEqualTo(202);
    }
  }

  @Test
  void clients_with_due_mail_share_delivery_by_weight() throws Exception {
    String a = "share-a-" + System.nanoTime();
    String b = "share-b-" + System.nanoTime();
    DeliveryProperties base = props(null, Map.of(), true);
    DeliveryProperties weighted =
        new DeliveryProperties(
            base.maxRate(),
            base.burst(),
            base.domains(),
            base.defaultRule(),
            base.adaptive(),
            new DeliveryProperties.FairShare(true, Map.of(b, 3)));
    start(weighted, null);
    // A's backlog is queued first, so without sharing B would wait for all of it.
    queueAs(http.as(senderKey(a)), "a.example", 800);
    queueAs(http.as(senderKey(b)), "b.example", 800);
    dispatcher.start();

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> sent("a.example") + sent("b.example") >= 400);
    int ofA = sent("a.example");
    int ofB = sent("b.example");
    // Weights 1 : 3, so B gets about three quarters while both have mail due.
    assertThat((double) ofB / (ofA + ofB)).isBetween(0.6, 0.9);
    await().atMost(Duration.ofSeconds(60)).until(() -> db.count("outbox") == 0);
  }

  @Test
  void high_priority_mail_goes_before_a_bulk_backlog() throws Exception {
    start(props(100d, Map.of(), false), null);
    queue("bulk.example", 300, "bulk");
    dispatcher.start();
    await().atMost(Duration.ofSeconds(10)).until(() -> sent("bulk.example") >= 20);
    long queuedAt = System.nanoTime();
    for (int i = 0; i < 5; i++) {
      http.postJson(
          "/api/messages",
          "{\"to\": [\"u" + i + "@high.example\"], \"text\": \"x\", \"priority\": \"high\"}");
    }
    dispatcher.wake();

    await().atMost(Duration.ofSeconds(10)).until(() -> sent("high.example") == 5);
    // Sent within a couple of claims of the global budget, while most of the bulk still waits.
    assertThat((sentAt.get("high.example").get(4) - queuedAt) / 1e9).isLessThan(2.0);
    assertThat(sent("bulk.example")).isLessThan(250);
  }
}
