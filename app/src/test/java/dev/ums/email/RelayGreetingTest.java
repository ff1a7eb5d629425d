package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.email.smtp.RelayGreeting;
import dev.ums.testing.Relays;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The relay health check's SMTP dialogue, against a scripted server that records commands. */
class RelayGreetingTest {

  static final Duration TIMEOUT = Duration.ofSeconds(2);

  static SmtpProperties relay(int port, SmtpProperties.Tls tls, String sslTrust, String helo) {
    return new SmtpProperties(
        "127.0.0.1",
        port,
        Senders.USER,
        Senders.PASSWORD,
        tls,
        sslTrust,
        TIMEOUT,
        TIMEOUT,
        TIMEOUT,
        1,
        helo);
  }

  @Test
  void says_only_ehlo_and_quit_no_starttls_no_auth_no_mail_even_when_all_are_offered()
      throws Exception {
    try (ScriptedSmtpServer server =
        ScriptedSmtpServer.builder().startTls(Relays.greenMailTls()).start()) {
      server.auth("PLAIN LOGIN", Senders.USER, Senders.PASSWORD);

      assertThat(
              RelayGreeting.check(
                  relay(server.port(), SmtpProperties.Tls.STARTTLS, "127.0.0.1", "ums.example"),
                  TIMEOUT,
                  TIMEOUT))
          .isEmpty();

      assertThat(server.commands()).containsExactly("EHLO ums.example", "QUIT");
      assertThat(server.connections()).isEqualTo(1);
    }
  }

  @Test
  void without_a_helo_name_ehlo_carries_the_local_address_literal() throws Exception {
    try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
      assertThat(
              RelayGreeting.check(
                  relay(server.port(), SmtpProperties.Tls.NONE, null, null), TIMEOUT, TIMEOUT))
          .isEmpty();

      assertThat(server.commands()).containsExactly("EHLO [127.0.0.1]", "QUIT");
    }
  }

  @Test
  void implicit_tls_is_spoken_from_the_first_byte_and_trusts_what_the_sender_trusts()
      throws Exception {
    try (ScriptedSmtpServer server =
        ScriptedSmtpServer.builder().implicitTls(Relays.greenMailTls()).start()) {
      assertThat(
              RelayGreeting.check(
                  relay(server.port(), SmtpProperties.Tls.IMPLICIT, "127.0.0.1", "ums.example"),
                  TIMEOUT,
                  TIMEOUT))
          .isEmpty();
      assertThat(server.commands()).containsExactly("EHLO ums.example", "QUIT");

      assertThat(
              RelayGreeting.check(
                  relay(server.port(), SmtpProperties.Tls.IMPLICIT, null, "ums.example"),
                  TIMEOUT,
                  TIMEOUT))
          .as("a self-signed certificate nobody vouched for")
          .hasValueSatisfying(reason -> assertThat(reason).startsWith("SSL"));
    }
  }

  @Test
  void plain_text_against_an_implicit_tls_port_is_reported_not_hung() throws Exception {
    try (ScriptedSmtpServer server =
        ScriptedSmtpServer.builder().implicitTls(Relays.greenMailTls()).start()) {
      long t0 = System.nanoTime();

      assertThat(
              RelayGreeting.check(
                  relay(server.port(), SmtpProperties.Tls.NONE, null, "ums.example"),
                  TIMEOUT,
                  Duration.ofMillis(500)))
          .isPresent();
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void a_relay_that_accepts_tcp_but_never_starts_tls_is_reported_within_the_reply_timeout()
      throws Exception {
    try (ScriptedSmtpServer blackHole = Relays.plain()) {
      blackHole.fault(ScriptedSmtpServer.Fault.BLACK_HOLE);
      long t0 = System.nanoTime();

      assertThat(
              RelayGreeting.check(
                  relay(blackHole.port(), SmtpProperties.Tls.IMPLICIT, "127.0.0.1", "ums.example"),
                  TIMEOUT,
                  Duration.ofMillis(500)))
          .hasValue("connect or TLS handshake timed out");
      assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(2));
    }
  }
}
