package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.email.smtp.SmtpEndpoint;
import dev.ums.ledger.FailureClass;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The pipelined path against a scripted pipelining relay: how commands are batched, that the
 * message bytes and every outcome match the Jakarta Mail path, connection reuse after refusals, and
 * failures mid-message.
 */
class PipeliningTest {

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-03-01T10:15:30Z"), ZoneOffset.UTC);

  private ScriptedSmtpServer server;
  private final List<EmailSender> senders = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    server = ScriptedSmtpServer.start();
  }

  @AfterEach
  void stop() throws Exception {
    senders.forEach(EmailSender::close);
    server.close();
  }

  private EmailSender sender(boolean pipelining, Duration readTimeout) {
    SmtpProperties p = Senders.props(server.port(), 1, readTimeout, pipelining);
    EmailSender s = new EmailSender(p, SmtpEndpoint.relay(p), CLOCK);
    senders.add(s);
    return s;
  }

  /** A sender on Jakarta Mail throughout. */
  private EmailSender jakarta() {
    return sender(false, Duration.ofSeconds(5));
  }

  /**
   * A sender whose first message (through Jakarta Mail, which reads the relay's EHLO) taught it
   * that the relay pipelines; its connections from now on are pipelined ones.
   */
  private EmailSender pipelined() throws Exception {
    return pipelined(Duration.ofSeconds(5));
  }

  private EmailSender pipelined(Duration readTimeout) throws Exception {
    EmailSender s = sender(true, readTimeout);
    assertThat(s.pipelining()).isNull();
    s.send(Senders.simple("warm-up", "warm@example.com"));
    assertThat(s.pipelining()).isTrue();
    // The Jakarta connection is closed after its message without waiting for the QUIT reply; wait
    // for the server to see the QUIT, or a busy machine records it among the next message's.
    org.awaitility.Awaitility.await().until(() -> server.commands().contains("QUIT"));
    server.clearTranscript();
    return s;
  }

  /** An email whose envelope sender is a per-message return path, not its From address. */
  private static Email withReturnPath(String id) {
    return new Email(
        "<" + id + "@ums.test>",
        "UMS <no-reply@ums.test>",
        List.of("Ann <ann@example.com>"),
        null,
        null,
        null,
        "Hello",
        "hello",
        null,
        Map.of(),
        List.of(),
        "bounces+" + id + "@bounces.ums.test");
  }

  @Test
  void a_return_path_is_the_envelope_sender_on_either_path_and_the_from_header_stays()
      throws Exception {
    List<String> mailFrom = new ArrayList<>();
    List<byte[]> messages = new ArrayList<>();
    jakarta().send(withReturnPath("0193a000-0000-7000-8000-000000000001"));
    mailFrom.addAll(server.commands("MAIL"));
    messages.addAll(server.messages());
    server.advertise("PIPELINING", "8BITMIME");
    pipelined().send(withReturnPath("0193a000-0000-7000-8000-000000000002"));
    mailFrom.addAll(server.commands("MAIL"));
    messages.addAll(server.messages());
    server.advertise("PIPELINING", "CHUNKING", "8BITMIME");
    pipelined().send(withReturnPath("0193a000-0000-7000-8000-000000000003"));
    mailFrom.addAll(server.commands("MAIL"));
    messages.addAll(server.messages());

    assertThat(mailFrom)
        .containsExactly(
            "MAIL FROM:<bounces+0193a000-0000-7000-8000-000000000001@bounces.ums.test>",
            "MAIL FROM:<bounces+0193a000-0000-7000-8000-000000000002@bounces.ums.test>",
            "MAIL FROM:<bounces+0193a000-0000-7000-8000-000000000003@bounces.ums.test>");
    assertThat(messages)
        .hasSize(3)
        .allSatisfy(
            m ->
                assertThat(new String(m, StandardCharsets.UTF_8))
                    .contains("From: UMS <no-reply@ums.test>")
                    .doesNotContain("bounces+"));
  }

  private static Email twoRecipients(String id) {
    return new Email(
        "<" + id + "@ums.test>",
        "UMS <no-reply@ums.test>",
        List.of("Ann <ann@example.com>"),
        null,
        List.of("bad@example.com"),
        null,
        "Grüße",
        "hello",
        null,
        Map.of());
  }

  @Test
  void commands_go_in_one_turn_and_the_body_in_the_next_after_one_jakarta_message()
      throws Exception {
    EmailSender s = sender(true, Duration.ofSeconds(5));

    s.send(twoRecipients("j1"));
    // Jakarta Mail, while the relay's EHLO was unknown: MAIL FROM waited for its reply alone.
    assertThat(server.reads())
        .anySatisfy(c -> assertThat(c).startsWith("MAIL FROM:").doesNotContain("RCPT"));
    assertThat(s.pipelining()).isTrue();
    // The Jakarta connection is closed after its message; its QUIT reaches the server on its own.
    org.awaitility.Awaitility.await()
        .until(() -> server.reads().stream().anyMatch(c -> c.startsWith("QUIT")));

    server.clearTranscript();
    s.send(twoRecipients("p1")); // a new, pipelined connection replaces the Jakarta one
    s.send(twoRecipients("p2")); // and is reused

    assertThat(server.connections()).isEqualTo(2);
    String commands =
        "MAIL FROM:<no-reply@ums.test>\r\n"
            + "RCPT TO:<ann@example.com>\r\n"
            + "RCPT TO:<bad@example.com>\r\n"
            + "DATA\r\n";
    List<String> chunks = server.reads();
    assertThat(chunks).hasSize(5);
    assertThat(chunks.get(0)).startsWith("EHLO ums.test");
    assertThat(chunks.get(1)).isEqualTo(commands);
    assertThat(chunks.get(2)).contains("Message-ID: <p1@ums.test>").endsWith("\r\n.\r\n");
    assertThat(chunks.get(3)).isEqualTo(commands);
    assertThat(chunks.get(4)).contains("Message-ID: <p2@ums.test>").endsWith("\r\n.\r\n");
  }

  @Test
  void pipelining_false_keeps_jakarta_mail_even_when_the_relay_advertises_it() throws Exception {
    EmailSender s = jakarta();

    s.send(twoRecipients("f1"));
    s.send(twoRecipients("f2"));

    assertThat(s.pipelining()).isFalse();
    assertThat(server.connections()).isEqualTo(1);
    assertThat(server.reads().stream().filter(c -> c.startsWith("MAIL FROM:")))
        .hasSize(2)
        .allSatisfy(c -> assertThat(c).doesNotContain("RCPT"));
  }

  @Test
  void a_relay_without_pipelining_keeps_its_jakarta_connection() throws Exception {
    server.advertise("8BITMIME");
    EmailSender s = sender(true, Duration.ofSeconds(5));

    s.send(twoRecipients("n1"));
    s.send(twoRecipients("n2"));

    assertThat(s.pipelining()).isFalse();
    assertThat(server.connections()).isEqualTo(1);
    assertThat(server.messages()).hasSize(2);
  }

  @Test
  void message_bytes_and_message_id_are_exactly_those_jakarta_mail_sends() throws Exception {
    Email text =
        new Email(
            "<bytes-1@ums.test>",
            "Zoë <no-reply@ums.test>",
            List.of("Ann Lee <ann@example.com>"),
            List.of("carl@example.com"),
            List.of("bob@example.com"),
            "Støtte <support@ums.test>",
            "Grüße — a subject long enough to be folded when it is encoded as UTF-8 words",
            "first line\n.a line that starts with a dot\n..two dots\nlast line without newline",
            null,
            Map.of("X-Campaign", "spring"));
    Email alternative =
        new Email(
            "<bytes-2@ums.test>",
            "no-reply@ums.test",
            List.of("ann@example.com"),
            null,
            null,
            null,
            "s",
            "plain\r\n.\r\nafter a lone dot",
            "<p>ünïcødé</p>\n.\n",
            Map.of());

    EmailSender p = pipelined();
    jakarta().send(text);
    jakarta().send(alternative);
    p.send(text);
    p.send(alternative);

    List<String> wire =
        List.of(
            ascii(server.messages().get(0)),
            ascii(server.messages().get(1)),
            ascii(server.messages().get(2)),
            ascii(server.messages().get(3)));
    assertThat(wire.get(2)).isEqualTo(wire.get(0));
    assertThat(wire.get(2))
        .contains("Message-ID: <bytes-1@ums.test>\r\n")
        .contains("\r\n..a line that starts with a dot\r\n")
        .contains("\r\n...two dots\r\n")
        .doesNotContain("Bcc")
        .doesNotContainPattern("[^\r]\n");
    // multipart/alternative: the same but for the random part boundary
    assertThat(withoutBoundaries(wire.get(3))).isEqualTo(withoutBoundaries(wire.get(1)));
    assertThat(wire.get(3))
        .contains("Message-ID: <bytes-2@ums.test>\r\n")
        .contains("\r\n..\r\nafter a lone dot");
  }

  @Test
  void with_chunking_a_message_is_one_turn_and_its_bytes_are_not_dot_stuffed() throws Exception {
    server.advertise("PIPELINING", "CHUNKING", "8BITMIME");
    EmailSender p = pipelined();
    Email e =
        new Email(
            "<c1@ums.test>",
            "no-reply@ums.test",
            List.of("ann@example.com"),
            null,
            List.of("bob@example.com"),
            null,
            "s",
            "first\n.a line that starts with a dot\nlast",
            null,
            Map.of());

    assertThat(p.send(e).complete()).isTrue();
    assertThat(p.send(twoRecipients("c2")).complete()).isTrue();

    // Each message: MAIL, RCPT, BDAT and the whole message in one client write.
    List<String> sends = server.reads().stream().filter(c -> c.startsWith("MAIL FROM")).toList();
    assertThat(sends).hasSize(2);
    assertThat(sends.get(0))
        .startsWith("MAIL FROM:<no-reply@ums.test>\r\nRCPT TO:<ann@example.com>\r\n")
        .contains("RCPT TO:<bob@example.com>\r\nBDAT ")
        .contains("Message-ID: <c1@ums.test>")
        .doesNotContain("DATA\r\n");
    String body = ascii(server.messages().get(0));
    assertThat(body)
        .contains("\r\n.a line that starts with a dot\r\n")
        .doesNotContain("Bcc")
        .endsWith("\r\n")
        .doesNotContainPattern("[^\r]\n");
    // The BDAT size is the exact byte count the server read.
    assertThat(sends.get(0)).contains("BDAT " + server.messages().get(0).length + " LAST\r\n");
    MimeMessage parsed =
        new MimeMessage(
            jakarta.mail.Session.getInstance(new java.util.Properties()),
            new java.io.ByteArrayInputStream(server.messages().get(0)));
    assertThat(parsed.getMessageID()).isEqualTo("<c1@ums.test>");
    // The message ends with CRLF, as the DATA path's does.
    assertThat(((String) parsed.getContent()).replace("\r\n", "\n"))
        .isEqualTo("first\n.a line that starts with a dot\nlast\n");
    assertThat(server.connections()).isEqualTo(2); // the warm-up's and one pipelined
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void with_chunking_every_outcome_is_the_one_jakarta_mail_reports(
      Consumer<ScriptedSmtpServer> script, FailureClass expected) throws Exception {
    server.advertise("PIPELINING", "CHUNKING", "8BITMIME");
    EmailSender p = pipelined();
    EmailSender j = jakarta();
    script.accept(server);

    Outcome viaJakarta = outcome(j, twoRecipients("o1"));
    Outcome viaChunking = outcome(p, twoRecipients("o1"));

    assertThat(viaChunking.failure()).isEqualTo(viaJakarta.failure()).isEqualTo(expected);
    assertThat(viaChunking.code()).isEqualTo(viaJakarta.code());
    if (expected == null) {
      assertThat(viaChunking.result().refused()).isEqualTo(viaJakarta.result().refused());
      assertThat(viaChunking.result().reply()).isEqualTo(viaJakarta.result().reply());
      assertThat(server.commands()).anyMatch(c -> c.startsWith("BDAT "));
    } else {
      assertThat(viaChunking.message()).doesNotContain("@");
    }
  }

  @Test
  void with_chunking_a_refused_message_leaves_the_connection_usable() throws Exception {
    server.advertise("PIPELINING", "CHUNKING", "8BITMIME");
    EmailSender p = pipelined();
    p.send(twoRecipients("k0"));
    int connections = server.connections();
    server.rcptReply(r -> "550 5.1.1 unknown user");

    assertThatThrownBy(() -> p.send(twoRecipients("k1")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> assertThat(e.classification()).isEqualTo(FailureClass.PERMANENT));
    assertThat(server.commands().get(server.commands().size() - 1)).isEqualTo("RSET");

    server.rcptReply(r -> "250 2.1.5 Ok");
    assertThat(p.send(twoRecipients("k2")).complete()).isTrue();
    assertThat(server.connections()).isEqualTo(connections);
    assertThat(server.messages()).hasSize(2); // k0 and k2
  }

  @Test
  void with_chunking_a_drop_after_the_message_is_a_connection_failure() throws Exception {
    server.advertise("PIPELINING", "CHUNKING", "8BITMIME");
    EmailSender p = pipelined();
    server.dropAfterBody(true);

    assertThatThrownBy(() -> p.send(twoRecipients("d1")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> assertThat(e.classification()).isEqualTo(FailureClass.CONNECTION));
    assertThat(server.messages()).isNotEmpty();
  }

  private static String ascii(byte[] b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  private static String withoutBoundaries(String s) {
    return s.replaceAll("----=_Part_[0-9a-f_.]+", "BOUNDARY");
  }

  /** What one send came to, comparable across the two paths. */
  private record Outcome(SendResult result, FailureClass failure, Integer code, String message) {}

  private static Outcome outcome(EmailSender s, Email e) {
    try {
      return new Outcome(s.send(e), null, null, null);
    } catch (SmtpSendException x) {
      return new Outcome(null, x.classification(), x.replyCode(), x.getMessage());
    }
  }

  static Stream<Arguments> scenarios() {
    return Stream.of(
        scenario("all accepted", s -> {}, null),
        scenario(
            "reply to the end of data echoes an address",
            s -> s.endOfDataReply("250 2.0.0 Ok: queued for <ann@example.com>"),
            null),
        scenario(
            "one recipient refused",
            s ->
                s.rcptReply(
                    r ->
                        r.contains("bad@")
                            ? "550 5.1.1 <bad@example.com>: no such user"
                            : "250 Ok"),
            null),
        scenario(
            "one recipient refused for now",
            s -> s.rcptReply(r -> r.contains("bad@") ? "452 4.2.2 Mailbox full" : "250 Ok"),
            null),
        scenario(
            "all recipients refused",
            s -> s.rcptReply(r -> "550 5.1.1 " + r.substring(r.indexOf('<')) + ": unknown"),
            FailureClass.PERMANENT),
        scenario(
            "all recipients refused, one for now",
            s ->
                s.rcptReply(
                    r -> r.contains("bad@") ? "550 5.1.1 no such user" : "452 4.2.2 Mailbox full"),
            FailureClass.TRANSIENT),
        scenario(
            "MAIL FROM refused for now",
            s -> s.mailReply("451 4.3.0 Try again later"),
            FailureClass.TRANSIENT),
        scenario(
            "MAIL FROM answered 421, then the server hangs up",
            s -> s.mailReply("421 4.3.2 Service shutting down"),
            FailureClass.TRANSIENT),
        scenario(
            "MAIL FROM refused",
            s -> s.mailReply("553 5.7.1 Sender rejected"),
            FailureClass.PERMANENT),
        scenario("DATA refused", s -> s.dataReply("554 5.3.0 No thanks"), FailureClass.PERMANENT),
        scenario(
            "message refused after the body",
            s -> s.endOfDataReply("554 5.7.1 Message for ann@example.com rejected as spam"),
            FailureClass.PERMANENT),
        scenario(
            "message deferred after the body",
            s -> s.endOfDataReply("451 4.7.1 Greylisted"),
            FailureClass.TRANSIENT),
        scenario(
            "server shutting down after the body",
            s -> s.endOfDataReply("421 4.3.2 Service shutting down"),
            FailureClass.TRANSIENT));
  }

  private static Arguments scenario(
      String name, Consumer<ScriptedSmtpServer> script, FailureClass expected) {
    return Arguments.of(Named.of(name, script), expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("scenarios")
  void every_outcome_is_the_one_jakarta_mail_reports(
      Consumer<ScriptedSmtpServer> script, FailureClass expected) throws Exception {
    EmailSender p = pipelined();
    EmailSender j = jakarta();
    script.accept(server);

    Outcome viaJakarta = outcome(j, twoRecipients("o1"));
    Outcome viaPipelining = outcome(p, twoRecipients("o1"));

    assertThat(viaPipelining).isEqualTo(viaJakarta);
    assertThat(viaPipelining.failure()).isEqualTo(expected);
    if (expected == null) {
      assertThat(viaPipelining.result().reply()).startsWith("250").doesNotContain("@");
    } else {
      assertThat(viaPipelining.message()).doesNotContain("@");
    }
  }

  @Test
  void all_refused_resets_the_transaction_and_the_connection_serves_the_next_message()
      throws Exception {
    EmailSender p = pipelined();
    p.send(twoRecipients("r0")); // the pipelined connection is open and pooled
    int connections = server.connections();
    server.rcptReply(r -> "550 5.1.1 unknown user");

    assertThatThrownBy(() -> p.send(twoRecipients("r1")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.PERMANENT);
              assertThat(e.replyCode()).isEqualTo(550);
            });
    assertThat(server.commands().subList(server.commands().size() - 2, server.commands().size()))
        .containsExactly("DATA", "RSET");

    server.rcptReply(r -> "250 2.1.5 Ok");
    assertThat(p.send(twoRecipients("r2")).complete()).isTrue();
    assertThat(server.connections()).isEqualTo(connections);
    assertThat(server.messages()).hasSize(2); // r0 and r2
  }

  @Test
  void all_refused_but_354_to_data_anyway_ends_the_transaction_with_a_lone_dot() throws Exception {
    EmailSender p = pipelined();
    p.send(twoRecipients("d0"));
    int connections = server.connections();
    server.rcptReply(r -> "550 5.1.1 unknown user");
    server.dataReply("354 go ahead"); // RFC 2920 §3.1: a server may do this
    server.endOfDataReply("554 5.5.1 no valid recipients");

    assertThatThrownBy(() -> p.send(twoRecipients("d1")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.PERMANENT);
              assertThat(e.replyCode()).isEqualTo(550);
              assertThat(e.getMessage()).startsWith("all 2 recipients refused");
            });
    assertThat(server.messages()).hasSize(2);
    assertThat(server.messages().get(1)).isEmpty(); // the lone dot, no message
    assertThat(server.commands("RSET")).isEmpty();

    server.rcptReply(r -> "250 2.1.5 Ok");
    server.dataReply(null);
    server.endOfDataReply("250 2.0.0 Ok");
    assertThat(p.send(twoRecipients("d2")).reply()).isEqualTo("250 2.0.0 Ok");
    assertThat(server.connections()).isEqualTo(connections);
  }

  @Test
  void transient_reply_to_mail_from_is_retryable_and_sends_nothing() throws Exception {
    EmailSender p = pipelined();
    server.mailReply("451 4.3.0 Try again later");

    assertThatThrownBy(() -> p.send(twoRecipients("m1")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.TRANSIENT);
              assertThat(e.classification().retryable()).isTrue();
              assertThat(e.replyCode()).isEqualTo(451);
            });
    assertThat(server.messages()).isEmpty();
  }

  @Test
  void connection_dropped_after_the_body_is_a_connection_failure_and_is_not_retried()
      throws Exception {
    EmailSender p = pipelined();
    p.send(twoRecipients("x0")); // a fresh pooled connection: the next send reuses it unchecked
    int connections = server.connections();
    server.dropAfterBody(true);

    assertThatThrownBy(() -> p.send(twoRecipients("x1")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.CONNECTION);
              assertThat(e.replyCode()).isNull();
            });
    // The body had gone out: sending again could deliver twice, so there was no second try.
    assertThat(server.messages()).hasSize(2);
    assertThat(server.connections()).isEqualTo(connections);

    server.dropAfterBody(false);
    assertThat(p.send(twoRecipients("x2")).reply()).startsWith("250");
    assertThat(server.connections()).isEqualTo(connections + 1);
  }

  @Test
  void no_reply_to_the_end_of_data_times_out_and_the_connection_is_dropped() throws Exception {
    EmailSender p = pipelined(Duration.ofMillis(300));
    server.endOfDataReply(null);

    long start = System.nanoTime();
    assertThatThrownBy(() -> p.send(twoRecipients("t1")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> assertThat(e.classification()).isEqualTo(FailureClass.TIMEOUT));
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));

    int connections = server.connections();
    server.endOfDataReply("250 2.0.0 Ok");
    assertThat(p.send(twoRecipients("t2")).reply()).isEqualTo("250 2.0.0 Ok");
    assertThat(server.connections()).isEqualTo(connections + 1);
  }

  @Test
  void pooled_connection_the_relay_closed_is_replaced_and_the_message_sent_once() throws Exception {
    EmailSender p = pipelined();
    p.send(twoRecipients("i0"));
    int connections = server.connections();

    server.dropClients(); // e.g. the relay's idle timeout

    assertThat(p.send(twoRecipients("i1")).reply()).startsWith("250");
    assertThat(server.connections()).isEqualTo(connections + 1);
    assertThat(server.messages()).hasSize(2);
  }

  @Test
  void concurrent_sends_share_a_bounded_pool_of_pipelined_connections() throws Exception {
    SmtpProperties props = Senders.props(server.port(), 2, Duration.ofSeconds(5), true);
    EmailSender s = new EmailSender(props, SmtpEndpoint.relay(props), CLOCK);
    senders.add(s);
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<SendResult>> futures = new ArrayList<>();
      for (int i = 0; i < 60; i++) {
        Email e = twoRecipients("c" + i);
        futures.add(pool.submit(() -> s.send(e)));
      }
      for (Future<SendResult> f : futures) {
        assertThat(f.get().reply()).startsWith("250");
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(server.messages()).hasSize(60);
    assertThat(s.pipelining()).isTrue();
    // At most two Jakarta connections (opened before the EHLO was known), then at most two
    // pipelined ones: never more than max-connections at a time.
    assertThat(server.connections()).isBetween(2, 4);
    assertThat(
            server.reads().stream()
                .filter(c -> c.startsWith("MAIL FROM:") && c.endsWith("DATA\r\n")))
        .hasSizeGreaterThanOrEqualTo(58);
  }
}
