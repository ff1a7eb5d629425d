package dev.ums.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ums.dispatch.DispatchProperties;
import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.dispatch.RetryPolicy;
import dev.ums.email.EmailSender;
import dev.ums.ledger.Ledger;
import dev.ums.security.ContentCipher;
import dev.ums.security.RecipientIndex;
import dev.ums.suppression.Suppressions;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.Relays;
import dev.ums.testing.TestSmtp;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import java.io.ByteArrayInputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.angus.mail.smtp.SMTPMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.test.annotation.DirtiesContext;
import org.springframework.test.context.TestPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reports delivered over a real SMTP connection to the inbound listener (Jakarta Mail as the
 * sending MTA, null sender) about messages UMS sent with its per-message return path: the samples
 * under {@code src/test/resources/dsn/}, matched by return path or by the returned Message-ID.
 */
@DispatchIntegrationTest
@TestPropertySource(properties = InboundBounceTest.BOUNCE_DOMAIN_SETTINGS)
// No other class shares this context: close it (its connection pool, its listener) afterwards.
@DirtiesContext(classMode = DirtiesContext.ClassMode.AFTER_CLASS)
@ExtendWith(OutputCaptureExtension.class)
class InboundBounceTest {

  static final String BOUNCE_DOMAIN = "bounces.test.ums";

  static final String BOUNCE_DOMAIN_SETTINGS =
      """
      ums.mail.bounce-domain=bounces.test.ums
      ums.inbound.enabled=true
      ums.inbound.port=0
      ums.inbound.max-message-size=64KB
      """;

  @Autowired Http http;
  @Autowired Db db;
  @Autowired InboundListener listener;
  @Autowired RecipientIndex index;
  @Autowired MeterRegistry meters;
  @Autowired OutboxDispatcher contextDispatcher;
  @Autowired Ledger ledger;
  @Autowired RetryPolicy retryPolicy;
  @Autowired JsonMapper json;
  @Autowired ContentCipher cipher;
  @Autowired Suppressions suppressions;

  // ---- helpers ------------------------------------------------------------------------------

  /** Sends a message to {@code to} through the API and waits until the relay took it. */
  String sent(String... to) {
    StringBuilder json = new StringBuilder("{\"to\": [");
    for (int i = 0; i < to.length; i++) {
      json.append(i == 0 ? "" : ", ").append('"').append(to[i]).append('"');
    }
    json.append("], \"subject\": \"Your order\", \"text\": \"Thanks!\"}");
    Http.Answer a = http.postJson("/api/messages", json.toString());
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    String id = a.json().get("id").asString();
    await().atMost(Duration.ofSeconds(20)).until(() -> status(id).equals("SENT"));
    return id;
  }

  String status(String id) {
    return http.get("/api/messages/" + id).json().get("status").asString();
  }

  static Map<String, String> values(String id, String recipient, String rcptTo) {
    return Map.of(
        "messageId", id,
        "messageIdDomain", "test.ums",
        "returnPath", ReturnPath.of(UUID.fromString(id), BOUNCE_DOMAIN),
        "rcptTo", rcptTo,
        "recipient", recipient);
  }

  /** Delivers {@code raw} to the listener as a bounce would come: from the null sender. */
  void deliver(String rcptTo, byte[] raw) throws MessagingException {
    Session session = Session.getInstance(new Properties());
    SMTPMessage m = new SMTPMessage(session, new ByteArrayInputStream(raw));
    m.setEnvelopeFrom("<>");
    try (Transport t = session.getTransport("smtp")) {
      t.connect("127.0.0.1", listener.port(), null, null);
      t.sendMessage(m, new Address[] {new InternetAddress(rcptTo)});
    }
  }

  /** Delivers fixture {@code name} about message {@code id} to its return path. */
  void bounce(String name, String id, String recipient) throws MessagingException {
    String returnPath = ReturnPath.of(UUID.fromString(id), BOUNCE_DOMAIN);
    deliver(returnPath, DsnFixtures.load(name, values(id, recipient, returnPath)));
  }

  List<Map<String, Object>> bounces(String id) {
    return db.jdbc()
        .queryForList(
            "SELECT kind, status_code, feedback_type, diagnostic, recipient_digest, client_id,"
                + " suppressed"
                + " FROM bounce WHERE message_id = ?::uuid ORDER BY received_at",
            id);
  }

  List<JsonNode> events(String id, String type) {
    return http.get("/api/messages/" + id + "/events")
        .json()
        .get("events")
        .valueStream()
        .filter(e -> e.get("type").asString().equals(type))
        .toList();
  }

  List<String> suppressionReasons() {
    return http.get("/api/suppressions")
        .json()
        .get("suppressions")
        .valueStream()
        .map(s -> s.get("reason").asString())
        .toList();
  }

  double counted(String outcome, String kind) {
    Counter c =
        meters.find(InboundReports.METRIC).tag("outcome", outcome).tag("kind", kind).counter();
    return c == null ? 0 : c.count();
  }

  String nextMessageStatus(String to) {
    return http.postJson("/api/messages", "{\"to\": [\"" + to + "\"], \"text\": \"again\"}")
        .json()
        .get("status")
        .asString();
  }

  // ---- tests --------------------------------------------------------------------------------

  @Test
  void mail_goes_out_with_the_message_s_own_return_path() {
    String id = sent("ann@example.com");

    assertThat(TestSmtp.received())
        .anySatisfy(
            m -> {
              assertThat(TestSmtp.messageId(m)).contains(id);
              assertThat(m.getHeader("Return-Path", null))
                  .isEqualTo("<bounces+" + id + "@" + BOUNCE_DOMAIN + ">");
              assertThat(m.getHeader("From", null)).contains("no-reply@");
            });
  }

  @Test
  void a_postfix_hard_bounce_makes_the_message_bounced_and_suppresses_the_address()
      throws Exception {
    double matched = counted("matched", "hard");
    String id = sent("ann@example.com");

    bounce(DsnFixtures.POSTFIX_HARD, id, "ann@example.com");

    assertThat(status(id)).isEqualTo("BOUNCED");
    assertThat(bounces(id))
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.get("kind")).isEqualTo("HARD");
              assertThat(b.get("status_code")).isEqualTo("5.1.1");
              assertThat(b.get("recipient_digest")).isEqualTo(index.address("ann@example.com"));
              assertThat(b.get("suppressed")).isEqualTo(true);
              assertThat((String) b.get("diagnostic"))
                  .contains("Recipient address rejected")
                  .doesNotContain("ann@example.com");
            });
    assertThat(events(id, "message.bounced"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.get("bounceType").asString()).isEqualTo("hard");
              assertThat(e.get("statusCode").asString()).isEqualTo("5.1.1");
              assertThat(e.get("status").asString()).isEqualTo("BOUNCED");
            });
    assertThat(suppressionReasons()).containsExactly("HARD_BOUNCE");
    assertThat(nextMessageStatus("Ann <ANN@example.com>")).isEqualTo("SUPPRESSED");
    assertThat(counted("matched", "hard")).isEqualTo(matched + 1);
  }

  @Test
  void an_exchange_ndr_to_another_bounce_address_is_matched_by_its_returned_message_id()
      throws Exception {
    String id = sent("bob@corp.example");
    String rcptTo = "postmaster@" + BOUNCE_DOMAIN;

    deliver(
        rcptTo, DsnFixtures.load(DsnFixtures.EXCHANGE_NDR, values(id, "bob@corp.example", rcptTo)));

    assertThat(status(id)).isEqualTo("BOUNCED");
    assertThat(bounces(id))
        .singleElement()
        .satisfies(b -> assertThat(b.get("status_code")).isEqualTo("5.1.10"));
    assertThat(suppressionReasons()).containsExactly("HARD_BOUNCE");
  }

  @Test
  void a_gmail_bounce_is_a_hard_bounce() throws Exception {
    String id = sent("carol@gmail.example");

    bounce(DsnFixtures.GMAIL, id, "carol@gmail.example");

    assertThat(status(id)).isEqualTo("BOUNCED");
    assertThat(bounces(id))
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.get("kind")).isEqualTo("HARD");
              assertThat((String) b.get("diagnostic")).contains("NoSuchUser");
            });
    assertThat(nextMessageStatus("carol@gmail.example")).isEqualTo("SUPPRESSED");
  }

  @Test
  void a_policy_refusal_after_acceptance_bounces_the_message_but_does_not_suppress_the_address()
      throws Exception {
    String id = sent("erin@example.com");

    bounce(DsnFixtures.POSTFIX_POLICY, id, "erin@example.com");

    assertThat(status(id)).isEqualTo("BOUNCED");
    assertThat(bounces(id))
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.get("kind")).isEqualTo("HARD");
              assertThat(b.get("status_code")).isEqualTo("5.7.1");
              assertThat(b.get("suppressed")).isEqualTo(false);
            });
    assertThat(events(id, "message.bounced"))
        .singleElement()
        .satisfies(e -> assertThat(e.get("bounceType").asString()).isEqualTo("hard"));
    // A block of the sending host says nothing about the address: the next message goes out.
    assertThat(suppressionReasons()).isEmpty();
    assertThat(nextMessageStatus("erin@example.com")).isEqualTo("QUEUED");
  }

  @Test
  void a_delayed_dsn_is_a_soft_bounce_that_changes_nothing_but_the_record() throws Exception {
    String id = sent("dan@example.org");

    bounce(DsnFixtures.POSTFIX_DELAYED, id, "dan@example.org");

    assertThat(status(id)).isEqualTo("SENT");
    assertThat(bounces(id))
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.get("kind")).isEqualTo("SOFT");
              assertThat(b.get("status_code")).isEqualTo("4.4.1");
            });
    assertThat(events(id, "message.bounced"))
        .singleElement()
        .satisfies(
            e -> {
              assertThat(e.get("bounceType").asString()).isEqualTo("soft");
              assertThat(e.get("status").asString()).isEqualTo("SENT");
            });
    assertThat(suppressionReasons()).isEmpty();
    assertThat(nextMessageStatus("dan@example.org")).isEqualTo("QUEUED");
  }

  @Test
  void an_arf_complaint_from_a_feedback_loop_suppresses_the_address_as_a_complaint()
      throws Exception {
    String id = sent("erin@yahoo.example");
    String rcptTo = "fbl@" + BOUNCE_DOMAIN;

    deliver(rcptTo, DsnFixtures.load(DsnFixtures.ARF, values(id, "erin@yahoo.example", rcptTo)));

    assertThat(status(id)).isEqualTo("SENT");
    assertThat(events(id, "message.complained"))
        .singleElement()
        .satisfies(e -> assertThat(e.get("feedbackType").asString()).isEqualTo("abuse"));
    assertThat(bounces(id))
        .singleElement()
        .satisfies(
            b -> {
              assertThat(b.get("kind")).isEqualTo("COMPLAINT");
              assertThat(b.get("recipient_digest")).isEqualTo(index.address("erin@yahoo.example"));
            });
    assertThat(suppressionReasons()).containsExactly("COMPLAINT");
    assertThat(nextMessageStatus("erin@yahoo.example")).isEqualTo("SUPPRESSED");
  }

  @Test
  void garbage_is_accepted_counted_and_dropped() throws Exception {
    double unparsable = counted("unparsable", "none");
    String id = sent("fay@example.com");
    String returnPath = ReturnPath.of(UUID.fromString(id), BOUNCE_DOMAIN);

    deliver(
        returnPath,
        DsnFixtures.load(DsnFixtures.GARBAGE, values(id, "fay@example.com", returnPath)));
    deliver(
        returnPath,
        "Subject: hi\r\n\r\n\u0000\u0001 not even close".getBytes(StandardCharsets.UTF_8));

    assertThat(counted("unparsable", "none")).isEqualTo(unparsable + 2);
    assertThat(db.count("bounce")).isZero();
    assertThat(status(id)).isEqualTo("SENT");
  }

  @Test
  void a_report_about_an_unknown_message_is_counted_as_unmatched() throws Exception {
    double unmatched = counted("unmatched", "hard");
    String unknown = UUID.randomUUID().toString();

    bounce(DsnFixtures.POSTFIX_HARD, unknown, "gus@example.com");
    deliver(
        "bounces+not-a-uuid@" + BOUNCE_DOMAIN,
        DsnFixtures.load(
            DsnFixtures.POSTFIX_HARD,
            values(unknown, "gus@example.com", "bounces+not-a-uuid@" + BOUNCE_DOMAIN)));

    assertThat(counted("unmatched", "hard")).isEqualTo(unmatched + 2);
    assertThat(db.count("bounce")).isZero();
    assertThat(db.count("suppression")).isZero();
  }

  @Test
  void mail_for_any_other_domain_is_refused_at_rcpt() {
    assertThatThrownBy(
            () ->
                deliver(
                    "postmaster@example.com",
                    DsnFixtures.load(
                        DsnFixtures.POSTFIX_HARD,
                        values(
                            UUID.randomUUID().toString(),
                            "hal@example.com",
                            "postmaster@example.com"))))
        .isInstanceOfSatisfying(
            SendFailedException.class,
            e -> assertThat(e.getNextException()).hasMessageStartingWith("550 5.1.1"));
  }

  @Test
  void a_report_over_the_size_limit_is_refused_and_not_recorded() throws Exception {
    String id = sent("ivy@example.com");
    byte[] report =
        DsnFixtures.load(
            DsnFixtures.POSTFIX_HARD,
            values(id, "ivy@example.com", ReturnPath.of(UUID.fromString(id), BOUNCE_DOMAIN)));
    byte[] big = new byte[report.length + 70 * 1024];
    System.arraycopy(report, 0, big, 0, report.length);
    for (int i = report.length; i < big.length; i++) {
      big[i] = (byte) ((i % 77 == 76) ? '\n' : 'x');
    }

    assertThatThrownBy(() -> deliver(ReturnPath.of(UUID.fromString(id), BOUNCE_DOMAIN), big))
        .isInstanceOf(MessagingException.class)
        .hasMessageContaining("552");
    assertThat(db.count("bounce")).isZero();
    assertThat(status(id)).isEqualTo("SENT");
  }

  @Test
  void the_same_report_delivered_twice_is_recorded_once() throws Exception {
    double duplicates = counted("duplicate", "hard");
    String id = sent("jo@example.com");

    bounce(DsnFixtures.POSTFIX_HARD, id, "jo@example.com");
    bounce(DsnFixtures.POSTFIX_HARD, id, "jo@example.com");

    assertThat(bounces(id)).hasSize(1);
    assertThat(events(id, "message.bounced")).hasSize(1);
    assertThat(counted("duplicate", "hard")).isEqualTo(duplicates + 1);
  }

  @Test
  void a_report_cannot_suppress_an_address_the_message_was_not_sent_to() throws Exception {
    String id = sent("kim@example.com", "lee@example.com");

    bounce(DsnFixtures.POSTFIX_HARD, id, "victim@example.net");

    assertThat(bounces(id))
        .singleElement()
        .satisfies(b -> assertThat(b.get("recipient_digest")).isNull());
    assertThat(db.count("suppression")).isZero();
    assertThat(nextMessageStatus("victim@example.net")).isEqualTo("QUEUED");
  }

  @Test
  void a_bounce_of_one_of_several_recipients_suppresses_that_one_only() throws Exception {
    String id = sent("mia@example.com", "ned@example.com");

    bounce(DsnFixtures.GMAIL, id, "ned@example.com");

    assertThat(status(id)).isEqualTo("BOUNCED");
    assertThat(bounces(id))
        .singleElement()
        .satisfies(
            b -> assertThat(b.get("recipient_digest")).isEqualTo(index.address("ned@example.com")));
    assertThat(nextMessageStatus("ned@example.com")).isEqualTo("SUPPRESSED");
    assertThat(nextMessageStatus("mia@example.com")).isEqualTo("QUEUED");
  }

  /**
   * End to end through a scripted relay: the message goes out with its return path as MAIL FROM,
   * its bounce comes back to the listener, and the message is BOUNCED, the address suppressed, the
   * event delivered to the client's webhook and the next message to the address not sent.
   */
  @Test
  void end_to_end_through_a_relay_with_verp_a_dsn_bounces_suppresses_and_notifies()
      throws Exception {
    List<String> payloads = new CopyOnWriteArrayList<>();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/hook",
        ex -> {
          payloads.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    receiver.start();
    contextDispatcher.stop();
    ScriptedSmtpServer relay = Relays.plain();
    EmailSender sender =
        EmailSender.toRelay(
            Relays.client(
                relay, Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(2), 2),
            Clock.systemUTC());
    ExecutorService pool = Executors.newFixedThreadPool(2);
    OutboxDispatcher dispatcher =
        new OutboxDispatcher(
            ledger,
            sender,
            pool,
            retryPolicy,
            new DispatchProperties(
                true,
                10,
                2,
                2,
                Duration.ofMinutes(2),
                Duration.ofMillis(100),
                Duration.ofHours(1),
                Duration.ofSeconds(30),
                Duration.ofSeconds(10),
                null,
                false,
                new DispatchProperties.Breaker(
                    true, 20, 5, 0.5, Duration.ofSeconds(1), Duration.ofSeconds(30))),
            "verp",
            "test.ums",
            json,
            cipher,
            Clock.systemUTC(),
            null,
            suppressions,
            BOUNCE_DOMAIN,
            null);
    dispatcher.start();
    try {
      assertThat(
              http.postJson(
                      "/api/webhooks",
                      "{\"url\": \"http://127.0.0.1:"
                          + receiver.getAddress().getPort()
                          + "/hook\"}")
                  .status())
          .isEqualTo(201);
      String id = sent("olga@example.com");

      assertThat(relay.commands("MAIL"))
          .containsExactly("MAIL FROM:<bounces+" + id + "@" + BOUNCE_DOMAIN + ">");
      bounce(DsnFixtures.POSTFIX_HARD, id, "olga@example.com");

      assertThat(status(id)).isEqualTo("BOUNCED");
      assertThat(suppressionReasons()).containsExactly("HARD_BOUNCE");
      assertThat(events(id, "message.bounced")).hasSize(1);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> payloads.stream().anyMatch(p -> p.contains("message.bounced")));
      assertThat(payloads)
          .filteredOn(p -> p.contains("message.bounced"))
          .singleElement()
          .satisfies(
              p ->
                  assertThat(p)
                      .contains(id)
                      .contains("\"bounceType\":\"hard\"")
                      .contains("\"statusCode\":\"5.1.1\"")
                      .contains("\"status\":\"BOUNCED\"")
                      .doesNotContain("olga"));
      // Refused at intake; and were it queued, the dispatcher would not send it either.
      assertThat(nextMessageStatus("olga@example.com")).isEqualTo("SUPPRESSED");
      assertThat(relay.commands("MAIL")).hasSize(1);
    } finally {
      dispatcher.stop();
      pool.shutdown();
      sender.close();
      relay.close();
      receiver.stop(0);
      contextDispatcher.start();
    }
  }

  /** The marker test of the bounce table: a bounced address appears in no table and no log. */
  @Test
  void a_bounced_address_is_stored_nowhere_in_the_clear(CapturedOutput output) throws Exception {
    String marker = "zq" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    String address = marker + "@example.com";
    String id = sent(address);

    bounce(DsnFixtures.POSTFIX_HARD, id, address);
    String rcptTo = "fbl@" + BOUNCE_DOMAIN;
    deliver(rcptTo, DsnFixtures.load(DsnFixtures.ARF, values(id, address, rcptTo)));

    assertThat(bounces(id)).hasSize(2);
    assertThat(http.get("/api/messages/" + id + "/events").body()).doesNotContain(marker);
    assertThat(db.columnsHolding(marker)).isEmpty();
    assertThat(output.getAll()).doesNotContain(marker);
  }
}
