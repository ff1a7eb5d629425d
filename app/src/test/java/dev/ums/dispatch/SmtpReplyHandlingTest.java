package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.email.EmailSender;
import dev.ums.ledger.Ledger;
import dev.ums.security.ContentCipher;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.Relays;
import dev.ums.testing.TestClock;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

/**
 * How SMTP replies end up in the ledger: a scripted relay answers 4xx, 5xx or refuses some
 * recipients, and a dispatcher built on it records what happened.
 */
@DispatchIntegrationTest
class SmtpReplyHandlingTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  @Autowired OutboxDispatcher contextDispatcher;
  @Autowired Ledger ledger;
  @Autowired RetryPolicy retryPolicy;
  @Autowired JsonMapper json;
  @Autowired ContentCipher cipher;

  ScriptedSmtpServer relay;
  EmailSender sender;
  ExecutorService pool;
  OutboxDispatcher dispatcher;

  @BeforeEach
  void start() throws Exception {
    contextDispatcher.stop();
    relay = Relays.plain();
    sender =
        EmailSender.toRelay(
            Relays.client(
                relay, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2), 2),
            clock);
    pool = Executors.newFixedThreadPool(2);
    DispatchProperties props = TestDispatch.props(10, 2, 2, Duration.ofMinutes(2));
    dispatcher =
        new OutboxDispatcher(
            ledger, sender, pool, retryPolicy, props, "scripted", "test.ums", json, cipher, clock);
    dispatcher.start();
  }

  @AfterEach
  void stop() throws Exception {
    dispatcher.stop();
    pool.shutdown();
    sender.close();
    relay.close();
    contextDispatcher.start();
  }

  String accept(String body) {
    String id = http.postJson("/api/messages", body).json().get("id").asString();
    dispatcher.wake();
    return id;
  }

  Map<String, Object> message(String id) {
    return db.jdbc().queryForMap("SELECT * FROM message WHERE id = ?::uuid", id);
  }

  @Test
  void a_4xx_reply_is_retried_and_then_delivered() {
    relay.endOfDataReply("451 4.3.0 Try again later");
    String id = accept("{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}");

    await().atMost(Duration.ofSeconds(5)).until(() -> db.count("send_failure") >= 1);
    relay.endOfDataReply("250 2.0.0 Ok: queued");
    await().atMost(Duration.ofSeconds(5)).until(() -> "SENT".equals(message(id).get("status")));

    Map<String, Object> failure =
        db.jdbc().queryForList("SELECT * FROM send_failure ORDER BY attempt").get(0);
    assertThat(failure.get("classification")).isEqualTo("TRANSIENT");
    assertThat(failure.get("reply_code")).isEqualTo(451);
    assertThat(failure.get("attempt")).isEqualTo(1);
    assertThat(((Number) message(id).get("attempts")).intValue()).isGreaterThanOrEqualTo(2);
    assertThat(relay.deliveries()).isEqualTo(1);
    assertThat(db.count("outbox")).isZero();
  }

  @Test
  void a_5xx_reply_is_a_dead_letter_at_once_with_its_failure_row() {
    relay.endOfDataReply("554 5.7.1 Message rejected as spam");
    String id = accept("{\"to\": [\"ann@example.com\"], \"text\": \"buy now\"}");

    await().atMost(Duration.ofSeconds(5)).until(() -> "FAILED".equals(message(id).get("status")));

    Map<String, Object> m = message(id);
    assertThat(m.get("last_error_class")).isEqualTo("PERMANENT");
    assertThat(m.get("last_error_code")).isEqualTo(554);
    assertThat(m.get("attempts")).isEqualTo(1);
    Map<String, Object> failure = db.jdbc().queryForMap("SELECT * FROM send_failure");
    assertThat(failure.get("classification")).isEqualTo("PERMANENT");
    assertThat(failure.get("reply_code")).isEqualTo(554);
    assertThat((String) failure.get("error_text")).doesNotContain("ann@example.com");
    assertThat(db.count("outbox")).isZero();
    var view = http.get("/api/messages/" + id).json();
    assertThat(view.get("lastError").get("classification").asString()).isEqualTo("PERMANENT");
    assertThat(view.get("lastError").get("code").asInt()).isEqualTo(554);
  }

  @Test
  void partially_refused_recipients_are_recorded_and_not_resent() throws Exception {
    relay.rcptReply(
        rcpt ->
            rcpt.contains("gone@example.com")
                ? "550 5.1.1 <gone@example.com>: Recipient address rejected"
                : "250 2.1.5 Ok");
    String id =
        accept(
            "{\"to\": [\"ann@example.com\", \"gone@example.com\"], \"cc\": [\"bob@example.com\"], \"text\": \"hi\"}");

    await().atMost(Duration.ofSeconds(5)).until(() -> "SENT".equals(message(id).get("status")));

    byte[] refused = (byte[]) message(id).get("refused_recipients");
    var list = json.readTree(cipher.openRefused(java.util.UUID.fromString(id), refused));
    assertThat(list.size()).isEqualTo(1);
    assertThat(list.get(0).get("address").asString()).isEqualTo("gone@example.com");
    assertThat(list.get(0).get("code").asInt()).isEqualTo(550);
    assertThat(relay.deliveries()).isEqualTo(1);
    assertThat(db.count("send_failure")).isZero();
    assertThat(db.count("outbox")).isZero();
  }

  @Test
  void a_relay_that_never_answers_is_a_timeout_and_retried() {
    relay.endOfDataReply(null); // swallow the end of DATA, never reply
    String id = accept("{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}");

    await().atMost(Duration.ofSeconds(8)).until(() -> db.count("send_failure") >= 1);

    assertThat(
            db.jdbc()
                .queryForObject(
                    "SELECT classification FROM send_failure ORDER BY attempt LIMIT 1",
                    String.class))
        .isEqualTo("TIMEOUT");
    assertThat(message(id).get("status")).isIn("QUEUED", "SENDING");
  }
}
