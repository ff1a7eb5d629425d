package dev.ums.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.testing.Http;
import dev.ums.testing.PostgresTestDatabase;
import dev.ums.testing.TestKafka;
import dev.ums.testing.TestSupportConfig;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A rule's connection cap in Kafka mode, one instance with both roles, on a real broker and a real
 * SMTP relay that is slow for the capped destination only. The relay publishes the capped rule's
 * records faster than the destination takes them, so the sender is handed more of them than the
 * cap; it must never have more than the cap in flight, must send each once with one attempt, and
 * must not hold other mail back behind them.
 */
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "UMS_BOOTSTRAP_ADMIN_KEY=" + Http.ADMIN_KEY,
      "spring.profiles.active=dev",
      "ums.crypto.dev-keyset-path=target/test-keyset.json",
      "ums.transport=kafka",
      "ums.kafka.relay.enabled=true",
      "ums.kafka.sender.enabled=true",
      "ums.kafka.partitions=3",
      "ums.kafka.relay.poll-interval=100ms",
      "ums.smtp.host=127.0.0.1",
      "ums.smtp.read-timeout=3s",
      "ums.smtp.connect-timeout=1s",
      "ums.dispatch.poll-interval=200ms",
      "ums.delivery.domains.capped.match=capped.example",
      "ums.delivery.domains.capped.connections=" + KafkaConnectionCapTest.CAP,
      "ums.delivery.adaptive.retry-after=300ms",
      "ums.mail.message-id-domain=test.ums"
    })
@Import(TestSupportConfig.class)
class KafkaConnectionCapTest {

  static final int CAP = 2;

  /** How long the capped destination takes to accept a recipient: a slow destination. */
  static final Duration SLOW = Duration.ofMillis(500);

  static final AtomicInteger cappedNow = new AtomicInteger();
  static final AtomicInteger cappedMost = new AtomicInteger();
  static final AtomicInteger cappedAccepted = new AtomicInteger();

  static final ScriptedSmtpServer RELAY = relay();
  static final String DB = PostgresTestDatabase.create("ums_kafka_cap");
  static final String TOPIC = "ums.test." + UUID.randomUUID();

  @Autowired Http http;
  @Autowired MeterRegistry meters;
  @Autowired JdbcTemplate jdbc;

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry r) {
    r.add("spring.datasource.url", () -> PostgresTestDatabase.url(DB));
    r.add("spring.datasource.username", PostgresTestDatabase::user);
    r.add("ums.kafka.bootstrap-servers", TestKafka::bootstrap);
    r.add("ums.kafka.topic", () -> TOPIC);
    r.add("ums.kafka.group-id", () -> "ums-test-" + TOPIC);
    r.add("ums.smtp.port", RELAY::port);
  }

  @AfterAll
  static void close() {
    RELAY.close();
  }

  /**
   * A relay that answers other domains at once and holds each RCPT to {@code capped.example} for
   * {@link #SLOW}, counting how many such transactions are open at once (one thread per connection:
   * a held reply holds only its own session).
   */
  static ScriptedSmtpServer relay() {
    try {
      ScriptedSmtpServer s = ScriptedSmtpServer.start();
      s.rcptReply(
          cmd -> {
            if (!cmd.contains("@capped.example>")) {
              return "250 2.1.5 Ok";
            }
            int now = cappedNow.incrementAndGet();
            cappedMost.accumulateAndGet(now, Math::max);
            try {
              Thread.sleep(SLOW.toMillis()); // the destination's own slowness, not a wait
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            } finally {
              cappedNow.decrementAndGet();
            }
            cappedAccepted.incrementAndGet();
            return "250 2.1.5 Ok";
          });
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  List<UUID> queue(String domain, int n) {
    StringBuilder b = new StringBuilder("{\"messages\": [");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",")
          .append("{\"to\": [\"u")
          .append(i)
          .append('@')
          .append(domain)
          .append("\"], \"subject\": \"s\", \"text\": \"t\"}");
    }
    Http.Answer a = http.postJson("/api/messages/batch", b.append("]}").toString());
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    List<UUID> ids = new ArrayList<>();
    a.json().get("messages").forEach(m -> ids.add(UUID.fromString(m.get("id").asString())));
    assertThat(ids).hasSize(n);
    return ids;
  }

  long withStatus(List<UUID> ids, String status) {
    return ids.stream()
        .filter(
            id ->
                status.equals(
                    jdbc.queryForObject(
                        "SELECT status FROM message WHERE id = ?", String.class, id)))
        .count();
  }

  @Test
  void a_capped_rule_never_has_more_sends_in_flight_than_its_cap_and_others_pass_it()
      throws Exception {
    List<UUID> capped = queue("capped.example", 12);
    List<UUID> others = queue("other.example", 40);

    // 12 at 500 ms each, 2 at a time, take at least 3 s: the others are done well before.
    await().atMost(Duration.ofSeconds(60)).until(() -> withStatus(others, "SENT") == 40);
    assertThat(cappedAccepted.get()).isLessThan(12);

    await().atMost(Duration.ofSeconds(90)).until(() -> withStatus(capped, "SENT") == 12);
    assertThat(cappedMost.get()).isEqualTo(CAP);

    List<UUID> all = new ArrayList<>(capped);
    all.addAll(others);
    for (UUID id : all) {
      assertThat(RELAY.deliveries(id.toString())).as(id.toString()).isEqualTo(1);
      assertThat(
              jdbc.queryForObject("SELECT attempts FROM message WHERE id = ?", Integer.class, id))
          .as(id.toString())
          .isEqualTo(1);
    }
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM send_failure", Integer.class)).isZero();
    assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM outbox", Integer.class)).isZero();
    assertThat(withStatus(all, "FAILED")).isZero();
    // The sender was handed more of the rule than its cap and gave the rest back.
    assertThat(meters.counter("ums.delivery.capped", "rule", "capped").count()).isPositive();
  }
}
