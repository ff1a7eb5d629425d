package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.ledger.FailureClass;
import dev.ums.testing.Relays;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** EmailSender against a scripted SMTP server: refusals, partial delivery, timeouts, reconnects. */
class SmtpFailureTest {

  private ScriptedSmtpServer server;
  private EmailSender sender;

  @BeforeEach
  void start() throws IOException {
    server = Relays.plain();
  }

  @AfterEach
  void stop() throws IOException {
    if (sender != null) {
      sender.close();
    }
    server.close();
  }

  private static Email twoRecipients() {
    return new Email(
        "<partial@ums.test>",
        "no-reply@ums.test",
        List.of("good@example.com", "bad@example.com"),
        null,
        null,
        null,
        "s",
        "t",
        null,
        Map.of());
  }

  @Test
  void permanent_5xx_reply_to_data_is_permanent_with_its_code() {
    server.endOfDataReply("554 5.7.1 Message rejected as spam");
    sender = Senders.sender(server.port());

    assertThatThrownBy(() -> sender.send(Senders.simple("p1", "ann@example.com")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.PERMANENT);
              assertThat(e.classification().retryable()).isFalse();
              assertThat(e.replyCode()).isEqualTo(554);
              assertThat(e.getMessage()).contains("554 5.7.1 Message rejected as spam");
            });
  }

  @Test
  void transient_4xx_reply_to_mail_from_is_transient_with_its_code() {
    server.mailReply("451 4.3.0 Try again later");
    sender = Senders.sender(server.port());

    assertThatThrownBy(() -> sender.send(Senders.simple("t1", "ann@example.com")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.TRANSIENT);
              assertThat(e.classification().retryable()).isTrue();
              assertThat(e.replyCode()).isEqualTo(451);
            });
  }

  @Test
  void one_refused_recipient_among_accepted_ones_is_reported_not_thrown() throws Exception {
    server.rcptReply(
        rcpt ->
            rcpt.contains("bad@")
                ? "550 5.1.1 <bad@example.com>: Recipient address rejected"
                : "250 2.1.5 Ok");
    server.endOfDataReply("250 2.0.0 Ok: queued as 4F2A");
    sender = Senders.sender(server.port());

    SendResult result = sender.send(twoRecipients());

    assertThat(result.reply()).isEqualTo("250 2.0.0 Ok: queued as 4F2A");
    assertThat(result.complete()).isFalse();
    assertThat(result.refused()).hasSize(1);
    SendResult.Refused r = result.refused().get(0);
    assertThat(r.address()).isEqualTo("bad@example.com");
    assertThat(r.code()).isEqualTo(550);
    assertThat(r.reply()).isEqualTo("550 5.1.1 <redacted>: Recipient address rejected");
    assertThat(r.toString()).doesNotContain("bad@example.com");
    assertThat(server.deliveries()).isEqualTo(1);
  }

  @Test
  void all_recipients_refused_with_5xx_is_permanent_and_names_no_address() {
    server.rcptReply(rcpt -> "550 5.1.1 " + rcpt.substring(rcpt.indexOf('<')) + ": unknown user");
    sender = Senders.sender(server.port());

    assertThatThrownBy(() -> sender.send(twoRecipients()))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.PERMANENT);
              assertThat(e.replyCode()).isEqualTo(550);
              assertThat(e.getMessage()).contains("<redacted>").doesNotContain("@");
              assertThat(e.getCause()).isNull();
            });
    assertThat(server.deliveries()).isZero();
  }

  @Test
  void all_recipients_refused_with_a_4xx_among_them_is_transient() {
    server.rcptReply(
        rcpt -> rcpt.contains("bad@") ? "550 5.1.1 no such user" : "452 4.2.2 Mailbox full");
    sender = Senders.sender(server.port());

    assertThatThrownBy(() -> sender.send(twoRecipients()))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.TRANSIENT);
              assertThat(e.replyCode()).isEqualTo(452);
            });
  }

  @Test
  void server_reply_echoing_an_address_is_redacted_in_result_and_exception() throws Exception {
    server.endOfDataReply("250 2.0.0 Ok: queued for <ann@example.com>");
    sender = Senders.sender(server.port());

    assertThat(sender.send(Senders.simple("r1", "ann@example.com")).reply())
        .isEqualTo("250 2.0.0 Ok: queued for <redacted>");

    server.endOfDataReply("552 5.3.4 Message for ann@example.com too big");
    assertThatThrownBy(() -> sender.send(Senders.simple("r2", "ann@example.com")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.getMessage()).doesNotContain("ann@example.com").contains("<redacted>");
              assertThat(e.classification()).isEqualTo(FailureClass.PERMANENT);
              assertThat(e.replyCode()).isEqualTo(552);
            });
  }

  @Test
  void closed_port_is_a_retryable_connection_failure() throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    sender = Senders.sender(port);

    assertThatThrownBy(() -> sender.send(Senders.simple("c1", "ann@example.com")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.CONNECTION);
              assertThat(e.classification().retryable()).isTrue();
              assertThat(e.replyCode()).isNull();
            });
  }

  @Test
  void server_that_never_answers_times_out_within_the_read_timeout() {
    server.fault(ScriptedSmtpServer.Fault.BLACK_HOLE);
    sender = Senders.sender(server.port(), 1, Duration.ofMillis(300));

    long start = System.nanoTime();
    assertThatThrownBy(() -> sender.send(Senders.simple("to1", "ann@example.com")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.TIMEOUT);
              assertThat(e.classification().retryable()).isTrue();
            });
    // Generous bound: the point is that the 300 ms timeout applies, not the 30 s default.
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void after_a_server_error_the_next_send_reconnects_and_succeeds() throws Exception {
    server.endOfDataReply("421 4.3.2 Service shutting down");
    sender = Senders.sender(server.port(), 1, Duration.ofSeconds(5));

    assertThatThrownBy(() -> sender.send(Senders.simple("e1", "ann@example.com")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> assertThat(e.classification()).isEqualTo(FailureClass.TRANSIENT));

    server.endOfDataReply("250 2.0.0 Ok");
    assertThat(sender.send(Senders.simple("e2", "ann@example.com")).reply())
        .isEqualTo("250 2.0.0 Ok");
    assertThat(sender.connectionsOpened()).isEqualTo(2);
    assertThat(server.connections()).isEqualTo(2);

    // And the fresh connection is then reused.
    sender.send(Senders.simple("e3", "ann@example.com"));
    assertThat(server.connections()).isEqualTo(2);
  }

  @Test
  void connection_the_server_closed_while_idle_is_replaced_before_sending() throws Exception {
    sender = Senders.sender(server.port(), 1, Duration.ofSeconds(5));
    sender.send(Senders.simple("i1", "ann@example.com"));

    server.dropClients(); // e.g. the relay's idle timeout closed the pooled connection

    assertThat(sender.send(Senders.simple("i2", "ann@example.com")).reply()).startsWith("250");
    assertThat(sender.connectionsOpened()).isEqualTo(2);
    assertThat(server.deliveries()).isEqualTo(2);
  }

  @Test
  void no_reply_to_the_end_of_data_is_a_timeout_and_the_connection_is_not_reused()
      throws Exception {
    server.endOfDataReply(null);
    sender = Senders.sender(server.port(), 1, Duration.ofMillis(300));

    assertThatThrownBy(() -> sender.send(Senders.simple("d1", "ann@example.com")))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.TIMEOUT);
              assertThat(e.replyCode()).isNull();
            });

    server.endOfDataReply("250 2.0.0 Ok");
    assertThat(sender.send(Senders.simple("d2", "ann@example.com")).reply())
        .isEqualTo("250 2.0.0 Ok");
    assertThat(server.connections()).isEqualTo(2);
  }
}
