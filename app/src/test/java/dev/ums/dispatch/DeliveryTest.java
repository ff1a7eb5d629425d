package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.email.EmailSender;
import dev.ums.ledger.Ledger;
import dev.ums.security.ContentCipher;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import dev.ums.testing.TestSmtp;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

/** End to end: HTTP intake → dispatcher → real SMTP server. */
@DispatchIntegrationTest
class DeliveryTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  @Autowired OutboxDispatcher dispatcher;
  @Autowired Ledger ledger;
  @Autowired EmailSender sender;
  @Autowired RetryPolicy retryPolicy;
  @Autowired DispatchProperties props;
  @Autowired JsonMapper json;
  @Autowired ContentCipher cipher;

  String send(String body) {
    Http.Answer a = http.postJson("/api/messages", body);
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    return a.json().get("id").asString();
  }

  String status(String id) {
    return http.get("/api/messages/" + id).json().get("status").asString();
  }

  @Test
  void delivers_text_html_and_utf8_with_a_stable_message_id() throws Exception {
    String id =
        send(
            """
            {"from": "Jörg Müller <shop@example.com>", "to": ["Zoë <ann@example.com>"],
             "subject": "Grüße – your order ✓", "text": "Danke schön", "html": "<p>Danke schön</p>",
             "headers": {"X-Order": "42"}}
            """);

    await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("SENT"));

    List<MimeMessage> got = TestSmtp.received();
    assertThat(got).hasSize(1);
    MimeMessage m = got.get(0);
    assertThat(m.getMessageID()).isEqualTo("<" + id + "@test.ums>");
    assertThat(m.getSubject()).isEqualTo("Grüße – your order ✓");
    assertThat(m.getFrom()[0].toString()).contains("shop@example.com");
    assertThat(((jakarta.mail.internet.InternetAddress) m.getFrom()[0]).getPersonal())
        .isEqualTo("Jörg Müller");
    assertThat(m.getHeader("X-Order")[0]).isEqualTo("42");
    assertThat(m.getContentType()).startsWith("multipart/alternative");
    MimeMultipart parts = (MimeMultipart) m.getContent();
    assertThat(parts.getBodyPart(0).getContent().toString()).contains("Danke schön");
    assertThat(parts.getBodyPart(1).getContentType()).startsWith("text/html");

    assertThat(db.count("outbox")).isZero();
    var view = http.get("/api/messages/" + id).json();
    assertThat(view.get("attempts").asInt()).isEqualTo(1);
    assertThat(view.get("sentAt").isNull()).isFalse();
    assertThat(view.get("nextAttemptAt").isNull()).isTrue();
  }

  @Test
  void relay_outage_is_retried_and_everything_is_delivered_after() {
    TestSmtp.stop();
    List<String> ids = new ArrayList<>();
    try {
      for (int i = 0; i < 5; i++) {
        ids.add(send("{\"to\": [\"u" + i + "@example.com\"], \"text\": \"hi\"}"));
      }
      // Failures pile up until the relay breaker opens; then only its probes go out.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> dispatcher.relayBreaker().state() != RelayBreaker.State.CLOSED);
      // How many attempts it takes depends on what the breaker's window still holds from
      // earlier tests in this context; every one of them is a connection failure.
      assertThat(
              db.jdbc()
                  .queryForObject(
                      "SELECT COUNT(*) FROM send_failure WHERE classification = 'CONNECTION'",
                      Integer.class))
          .isPositive()
          .isEqualTo(db.count("send_failure"));
      for (String id : ids) {
        assertThat(status(id)).isIn("QUEUED", "SENDING");
      }
    } finally {
      TestSmtp.start();
    }

    // The next probe comes at most ums.dispatch.breaker.max-open-for (30 s) later.
    await()
        .atMost(Duration.ofSeconds(45))
        .until(() -> ids.stream().allMatch(id -> status(id).equals("SENT")));
    Set<String> delivered = new HashSet<>();
    TestSmtp.received().forEach(m -> delivered.add(TestSmtp.messageId(m)));
    assertThat(delivered).hasSize(5);
    assertThat(TestSmtp.received()).hasSize(5);
    assertThat(db.count("outbox")).isZero();
  }

  @Test
  void four_dispatchers_deliver_2000_messages_exactly_once() {
    dispatcher.stop();
    List<OutboxDispatcher> four = new ArrayList<>();
    List<ExecutorService> pools = new ArrayList<>();
    try {
      for (int b = 0; b < 4; b++) {
        StringBuilder sb = new StringBuilder("{\"messages\": [");
        for (int i = 0; i < 500; i++) {
          sb.append(i == 0 ? "" : ",")
              .append("{\"to\": [\"r")
              .append(b * 500 + i)
              .append("@example.com\"], \"text\": \"n\"}");
        }
        assertThat(http.postJson("/api/messages/batch", sb.append("]}").toString()).status())
            .isEqualTo(202);
      }
      DispatchProperties small = TestDispatch.props(50, 4, 4, Duration.ofMinutes(2));
      for (int d = 0; d < 4; d++) {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        pools.add(pool);
        OutboxDispatcher x =
            new OutboxDispatcher(
                ledger, sender, pool, retryPolicy, small, "d" + d, "test.ums", json, cipher, clock);
        four.add(x);
        x.start();
      }

      await()
          .atMost(Duration.ofSeconds(90))
          .until(
              () ->
                  db.jdbc()
                          .queryForObject(
                              "SELECT COUNT(*) FROM message WHERE status = 'SENT'", Integer.class)
                      == 2000);

      List<MimeMessage> got = TestSmtp.received();
      Set<String> unique = new HashSet<>();
      got.forEach(m -> unique.add(TestSmtp.messageId(m)));
      assertThat(unique).hasSize(2000);
      assertThat(got).hasSize(2000);
      assertThat(db.count("outbox")).isZero();
      // No attempt failed, so none was retried.
      assertThat(db.jdbc().queryForObject("SELECT COUNT(*) FROM send_failure", Integer.class))
          .isZero();
    } finally {
      four.forEach(OutboxDispatcher::stop);
      pools.forEach(ExecutorService::shutdown);
      dispatcher.start();
    }
  }
}
