package dev.ums.retention;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ums.ledger.Ledger;
import dev.ums.suppression.Suppressions;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import dev.ums.testing.UmsIntegrationTest;
import dev.ums.webhook.WebhookService;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Retention of the event tables on PostgreSQL: old events go with their deliveries, the delivery
 * log loses finished deliveries sooner but keeps pending ones, expired suppressions go, and nothing
 * else does; each in batches.
 */
@UmsIntegrationTest
class EventRetentionTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  @Autowired Ledger ledger;
  @Autowired WebhookService webhooks;
  @Autowired Suppressions suppressions;
  @Autowired EventRetention defaultRetention;

  HttpServer up;
  HttpServer down;
  final AtomicInteger received = new AtomicInteger();
  final AtomicInteger refused = new AtomicInteger();

  @BeforeEach
  void receivers() throws Exception {
    up = receiver(204, received);
    down = receiver(503, refused);
  }

  @AfterEach
  void close() {
    up.stop(0);
    down.stop(0);
  }

  HttpServer receiver(int status, AtomicInteger count) throws Exception {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext(
        "/hook",
        ex -> {
          ex.getRequestBody().readAllBytes();
          count.incrementAndGet();
          ex.sendResponseHeaders(status, -1);
          ex.close();
        });
    s.start();
    return s;
  }

  String endpoint(HttpServer s) {
    Http.Answer a =
        http.postJson(
            "/api/webhooks",
            "{\"url\": \"http://127.0.0.1:" + s.getAddress().getPort() + "/hook\"}");
    assertThat(a.status()).isEqualTo(201);
    return a.json().get("id").asString();
  }

  int deliveries(String status) {
    return db.jdbc()
        .queryForObject(
            "SELECT COUNT(*) FROM webhook_delivery WHERE status = ?", Integer.class, status);
  }

  @Test
  void old_events_deliveries_and_expired_suppressions_are_deleted_in_batches_and_nothing_else() {
    String healthy = endpoint(up);
    String failing = endpoint(down);
    for (int i = 0; i < 3; i++) {
      assertThat(
              http.postJson("/api/messages", "{\"to\": [\"a@example.com\"], \"text\": \"t\"}")
                  .status())
          .isEqualTo(202);
    }
    assertThat(
            http.postJson(
                    "/api/suppressions",
                    "{\"address\": \"gone@example.com\", \"expiresAt\": \""
                        + clock.instant().plus(Duration.ofDays(1))
                        + "\"}")
                .status())
        .isEqualTo(201);
    assertThat(http.postJson("/api/suppressions", "{\"address\": \"kept@example.com\"}").status())
        .isEqualTo(201);
    await().atMost(Duration.ofSeconds(10)).until(() -> received.get() >= 3 && refused.get() >= 1);
    // The failing endpoint is disabled with its deliveries still pending.
    clock.advance(Duration.ofHours(25));
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !http.get("/api/webhooks/" + failing).json().get("enabled").asBoolean());
    assertThat(deliveries("DELIVERED")).isEqualTo(3);
    int pending = deliveries("PENDING");
    assertThat(pending).isPositive();
    EventRetention retention =
        new EventRetention(
            ledger,
            webhooks,
            suppressions,
            new RetentionProperties(null, Duration.ofHours(1), 30, 14, 2),
            clock);

    // Day 1: only the expired suppression is due.
    assertThat(retention.purge()).isEqualTo(new EventRetention.Purged(0, 0, 1));
    assertThat(db.count("suppression")).isEqualTo(1);

    // Day 20: the finished deliveries (3, in batches of 2) go; pending ones and events stay.
    clock.advance(Duration.ofDays(19));
    assertThat(retention.purge()).isEqualTo(new EventRetention.Purged(0, 3, 0));
    assertThat(deliveries("DELIVERED")).isZero();
    assertThat(deliveries("PENDING")).isEqualTo(pending);
    assertThat(db.count("message_event")).isEqualTo(3);
    assertThat(http.get("/api/webhooks/" + healthy + "/deliveries").json().get("deliveries").size())
        .isZero();

    // Day 31: the events go, and with them what hangs on them; messages and the rest stay.
    clock.advance(Duration.ofDays(11));
    assertThat(retention.purge()).isEqualTo(new EventRetention.Purged(3, 0, 0));
    assertThat(db.count("message_event")).isZero();
    assertThat(db.count("event_outbox")).isZero();
    assertThat(db.count("webhook_delivery")).isZero();
    assertThat(db.count("message")).isEqualTo(3);
    assertThat(db.count("webhook_endpoint")).isEqualTo(2);
    assertThat(db.count("suppression")).isEqualTo(1);
    assertThat(retention.purge()).isEqualTo(new EventRetention.Purged(0, 0, 0));
  }

  @Test
  void with_event_days_0_events_are_kept_forever_while_the_rest_still_goes() {
    endpoint(up);
    for (int i = 0; i < 2; i++) {
      assertThat(
              http.postJson("/api/messages", "{\"to\": [\"a@example.com\"], \"text\": \"t\"}")
                  .status())
          .isEqualTo(202);
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> received.get() >= 2);
    EventRetention keepEvents =
        new EventRetention(
            ledger,
            webhooks,
            suppressions,
            new RetentionProperties(null, Duration.ofHours(1), 0, 14, 1000),
            clock);
    EventRetention thirtyDays =
        new EventRetention(
            ledger,
            webhooks,
            suppressions,
            new RetentionProperties(null, Duration.ofHours(1), 30, 14, 1000),
            clock);

    // Ten years on: the events stay; the finished deliveries still go after their 14 days.
    clock.advance(Duration.ofDays(3650));
    assertThat(keepEvents.purge()).isEqualTo(new EventRetention.Purged(0, 2, 0));
    assertThat(db.count("message_event")).isEqualTo(2);
    assertThat(keepEvents.purge()).isEqualTo(new EventRetention.Purged(0, 0, 0));
    assertThat(db.count("message_event")).isEqualTo(2);

    // The same events with retention on: they go.
    assertThat(thirtyDays.purge()).isEqualTo(new EventRetention.Purged(2, 0, 0));
    assertThat(db.count("message_event")).isZero();
    assertThat(db.count("message")).isEqualTo(2);
  }

  @Test
  void by_default_events_are_kept_30_days_and_finished_deliveries_14() {
    endpoint(up);
    assertThat(
            http.postJson("/api/messages", "{\"to\": [\"a@example.com\"], \"text\": \"t\"}")
                .status())
        .isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> received.get() >= 1);

    clock.advance(Duration.ofDays(13));
    assertThat(defaultRetention.purge()).isEqualTo(new EventRetention.Purged(0, 0, 0));
    clock.advance(Duration.ofDays(2));
    assertThat(defaultRetention.purge()).isEqualTo(new EventRetention.Purged(0, 1, 0));
    clock.advance(Duration.ofDays(14));
    assertThat(defaultRetention.purge()).isEqualTo(new EventRetention.Purged(0, 0, 0));
    clock.advance(Duration.ofDays(2));
    assertThat(defaultRetention.purge()).isEqualTo(new EventRetention.Purged(1, 0, 0));
  }
}
