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
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Kafka mode end to end, one instance with both roles, on a real broker and a real SMTP relay:
 * intake → relay → topic → sender → SMTP, with a retry, a dead letter and its re-drive, a cancel,
 * and records that are no longer anyone's to send.
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
      "ums.smtp.host=127.0.0.1",
      "ums.smtp.read-timeout=2s",
      "ums.smtp.connect-timeout=1s",
      "ums.retry.base=100ms",
      "ums.retry.cap=300ms",
      "ums.dispatch.poll-interval=200ms",
      "ums.mail.message-id-domain=test.ums"
    })
@Import(TestSupportConfig.class)
class KafkaModeTest {

  static final ScriptedSmtpServer RELAY = relay();
  static final String DB = PostgresTestDatabase.create("ums_kafka");
  static final String TOPIC = "ums.test." + UUID.randomUUID();

  /** Recipients refused permanently while {@link #refusing} holds them. */
  static final Set<String> refusing = ConcurrentHashMap.newKeySet();

  /** Recipients refused once with a 451 before they are accepted. */
  static final Set<String> flakyOnce = ConcurrentHashMap.newKeySet();

  @Autowired Http http;
  @Autowired MeterRegistry meters;
  @Autowired JdbcTemplate jdbc;
  @Autowired Environment env;

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

  static ScriptedSmtpServer relay() {
    try {
      ScriptedSmtpServer s = ScriptedSmtpServer.start();
      s.rcptReply(
          cmd -> {
            String addr = cmd.substring(cmd.indexOf('<') + 1, cmd.indexOf('>'));
            if (refusing.contains(addr)) {
              return "550 5.7.1 refused by policy";
            }
            if (flakyOnce.remove(addr)) {
              return "451 4.3.0 try again later";
            }
            return "250 2.1.5 Ok";
          });
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  UUID accept(String to, Instant sendAt) {
    String body =
        "{\"to\": [\""
            + to
            + "\"], \"subject\": \"s\", \"text\": \"t\""
            + (sendAt == null ? "" : ", \"sendAt\": \"" + sendAt + "\"")
            + "}";
    Http.Answer a = http.postJson("/api/messages", body);
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    return UUID.fromString(a.json().get("id").asString());
  }

  String status(UUID id) {
    return http.get("/api/messages/" + id).json().get("status").asString();
  }

  int attempts(UUID id) {
    return http.get("/api/messages/" + id).json().get("attempts").asInt();
  }

  @Test
  void every_message_goes_through_the_topic_and_reaches_the_relay_once() {
    double published = meters.counter("ums.kafka.relay.published").count();
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      ids.add(accept("user" + i + "@example.com", null));
    }

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> ids.stream().allMatch(id -> status(id).equals("SENT")));
    for (UUID id : ids) {
      assertThat(RELAY.deliveries(id.toString())).as(id.toString()).isEqualTo(1);
    }
    assertThat(meters.counter("ums.kafka.relay.published").count())
        .isGreaterThanOrEqualTo(published + ids.size());
    assertThat(outboxRows(ids)).isZero();
  }

  @Test
  void a_transient_failure_is_retried_through_the_relay_and_a_permanent_one_dead_letters() {
    flakyOnce.add("flaky@example.com");
    refusing.add("refused@example.com");
    UUID flaky = accept("flaky@example.com", null);
    UUID refused = accept("refused@example.com", null);

    await().atMost(Duration.ofSeconds(60)).until(() -> status(flaky).equals("SENT"));
    await().atMost(Duration.ofSeconds(60)).until(() -> status(refused).equals("FAILED"));
    assertThat(attempts(flaky)).isEqualTo(2);
    assertThat(RELAY.deliveries(flaky.toString())).isEqualTo(1);
    assertThat(RELAY.deliveries(refused.toString())).isZero();

    refusing.remove("refused@example.com");
    assertThat(http.postJson("/api/admin/dead-letters/" + refused + "/redrive", "").status())
        .isEqualTo(200);
    await().atMost(Duration.ofSeconds(60)).until(() -> status(refused).equals("SENT"));
    assertThat(RELAY.deliveries(refused.toString())).isEqualTo(1);
  }

  @Test
  void a_cancelled_message_is_never_published_nor_sent() {
    UUID later = accept("later@example.com", Instant.now().plusSeconds(3));
    assertThat(http.postJson("/api/messages/" + later + "/cancel", "").status()).isEqualTo(200);
    UUID now = accept("now@example.com", null);

    await().atMost(Duration.ofSeconds(60)).until(() -> status(now).equals("SENT"));
    await().during(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> true);
    assertThat(status(later)).isEqualTo("CANCELLED");
    assertThat(RELAY.deliveries(later.toString())).isZero();
  }

  @Test
  void records_whose_message_is_no_longer_theirs_are_skipped_unsent() throws Exception {
    UUID sent = accept("once@example.com", null);
    await().atMost(Duration.ofSeconds(60)).until(() -> status(sent).equals("SENT"));
    double skipped = meters.counter("ums.kafka.sender.skipped").count();

    // A stale record of the sent message (an older claim), one of a message that does not exist,
    // and one that is not a hand-off record at all.
    try (KafkaProducer<byte[], byte[]> p = producer()) {
      p.send(record(sent, UUID.randomUUID())).get(10, TimeUnit.SECONDS);
      p.send(record(UUID.randomUUID(), UUID.randomUUID())).get(10, TimeUnit.SECONDS);
      p.send(new ProducerRecord<>(TOPIC, new byte[] {1}, new byte[] {9, 9}))
          .get(10, TimeUnit.SECONDS);
    }

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> meters.counter("ums.kafka.sender.skipped").count() >= skipped + 3);
    assertThat(RELAY.deliveries(sent.toString())).isEqualTo(1);
  }

  @Test
  void health_shows_the_broker() {
    Http.Answer h = http.get("/actuator/health");
    assertThat(h.json().get("components").get("kafka").get("status").asString()).isEqualTo("UP");
  }

  private ProducerRecord<byte[], byte[]> record(UUID id, UUID token) {
    return new ProducerRecord<>(
        TOPIC,
        HandoffRecord.key(id),
        HandoffRecord.value(new dev.ums.ledger.Ledger.Handoff(id, token)));
  }

  private KafkaProducer<byte[], byte[]> producer() {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            env.getProperty("ums.kafka.bootstrap-servers"),
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class,
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class));
  }

  private int outboxRows(List<UUID> ids) {
    int n = 0;
    for (UUID id : ids) {
      n +=
          jdbc.queryForObject(
              "SELECT COUNT(*) FROM outbox WHERE message_id = ?", Integer.class, id);
    }
    return n;
  }
}
