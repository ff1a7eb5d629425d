package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.email.smtp.PipelinedConnections;
import dev.ums.email.smtp.SmtpEndpoint;
import dev.ums.ledger.FailureClass;
import dev.ums.testing.Relays;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

/** The pipelined path's AUTH and TLS, its NOOP check, and the property that turns it off. */
class PipelinedSecurityTest {

  private ScriptedSmtpServer server;
  private final List<EmailSender> senders = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    senders.forEach(EmailSender::close);
    if (server != null) {
      server.close();
    }
  }

  private SmtpProperties props(SmtpProperties.Tls tls, String trust, String user, String password) {
    return new SmtpProperties(
        "127.0.0.1",
        server.port(),
        user,
        password,
        tls,
        trust,
        Duration.ofSeconds(2),
        Duration.ofSeconds(5),
        Duration.ofSeconds(5),
        1,
        "ums.test",
        true);
  }

  private EmailSender sender(SmtpProperties.Tls tls, String trust, String user, String password) {
    SmtpProperties p = props(tls, trust, user, password);
    EmailSender s = new EmailSender(p, SmtpEndpoint.relay(p), Clock.systemUTC());
    senders.add(s);
    return s;
  }

  /** Opens a pipelined connection directly, as the pool would once it knows the relay pipelines. */
  private PipelinedConnections.Opened openPipelined(
      SmtpProperties.Tls tls, String trust, String user, String password) throws Exception {
    return PipelinedConnections.open(props(tls, trust, user, password));
  }

  private EmailSender authSender() {
    return sender(SmtpProperties.Tls.NONE, null, Senders.USER, Senders.PASSWORD);
  }

  /** Two messages: the first over Jakarta Mail, which reads the EHLO, the second pipelined. */
  private static void sendTwo(EmailSender s) throws SmtpSendException {
    s.send(Senders.simple("first", "ann@example.com"));
    s.send(Senders.simple("second", "ann@example.com"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"PLAIN", "LOGIN"})
  void pipelined_connection_authenticates_with(String mechanism) throws Exception {
    server = ScriptedSmtpServer.start();
    server.auth(mechanism, Senders.USER, Senders.PASSWORD); // and MAIL without AUTH is refused
    EmailSender s = authSender();

    sendTwo(s);

    assertThat(s.pipelining()).isTrue();
    assertThat(server.connections()).isEqualTo(2);
    assertThat(server.commands("AUTH " + mechanism)).hasSize(2); // Jakarta's, then ours
    assertThat(server.messages()).hasSize(2);
    // The pipelined message went out as one batch of commands after AUTH.
    assertThat(server.reads())
        .contains("MAIL FROM:<no-reply@ums.test>\r\nRCPT TO:<ann@example.com>\r\nDATA\r\n");
  }

  @Test
  void wrong_password_is_a_permanent_failure_with_the_reply_code() throws Exception {
    server = ScriptedSmtpServer.start();
    server.auth("PLAIN LOGIN", Senders.USER, Senders.PASSWORD);

    assertThatThrownBy(() -> openPipelined(SmtpProperties.Tls.NONE, null, Senders.USER, "wrong"))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.PERMANENT);
              assertThat(e.replyCode()).isEqualTo(535);
              assertThat(e.getMessage()).doesNotContain("wrong");
            });
  }

  @Test
  void relay_that_wants_another_auth_mechanism_is_served_by_jakarta_mail() throws Exception {
    server = ScriptedSmtpServer.start();
    server.auth("DIGEST-MD5", Senders.USER, Senders.PASSWORD);
    EmailSender s = authSender();

    sendTwo(s);
    s.send(Senders.simple("third", "ann@example.com"));

    assertThat(s.pipelining()).isFalse();
    assertThat(server.connections()).isEqualTo(1); // the Jakarta connection stays
    assertThat(server.commands("AUTH DIGEST-MD5")).hasSize(1);
    assertThat(server.messages()).hasSize(3);
    assertThat(server.reads())
        .noneSatisfy(c -> assertThat(c).startsWith("MAIL FROM:").contains("RCPT"));
    assertThatThrownBy(
            () -> openPipelined(SmtpProperties.Tls.NONE, null, Senders.USER, Senders.PASSWORD))
        .isInstanceOf(PipelinedConnections.UNSUPPORTED);
  }

  @Test
  void starttls_then_pipelined_commands_inside_tls() throws Exception {
    server = ScriptedSmtpServer.builder().startTls(Relays.greenMailTls()).start();
    EmailSender s = sender(SmtpProperties.Tls.STARTTLS, "127.0.0.1", null, null);

    sendTwo(s);

    assertThat(s.pipelining()).isTrue();
    assertThat(server.connections()).isEqualTo(2);
    assertThat(server.commands("STARTTLS")).hasSize(2);
    assertThat(server.messagesOverTls()).isEqualTo(2);
    // After STARTTLS the client said EHLO again before anything else, as RFC 3207 requires.
    assertThat(server.commands().subList(server.commands().size() - 5, server.commands().size()))
        .containsExactly(
            "STARTTLS",
            "EHLO ums.test",
            "MAIL FROM:<no-reply@ums.test>",
            "RCPT TO:<ann@example.com>",
            "DATA");
  }

  @Test
  void starttls_with_an_untrusted_certificate_is_a_connection_failure() throws Exception {
    server = ScriptedSmtpServer.builder().startTls(Relays.greenMailTls()).start();
    assertThatThrownBy(() -> openPipelined(SmtpProperties.Tls.STARTTLS, null, null, null))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> assertThat(e.classification()).isEqualTo(FailureClass.CONNECTION));
    assertThat(server.commands("MAIL")).isEmpty();
  }

  @Test
  void required_starttls_that_the_relay_does_not_offer_is_a_connection_failure() throws Exception {
    server = ScriptedSmtpServer.start();
    assertThatThrownBy(() -> openPipelined(SmtpProperties.Tls.STARTTLS, "127.0.0.1", null, null))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> assertThat(e.classification()).isEqualTo(FailureClass.CONNECTION));
    assertThat(server.commands("MAIL")).isEmpty();
  }

  @Test
  void implicit_tls_pipelines_too() throws Exception {
    server = ScriptedSmtpServer.builder().implicitTls(Relays.greenMailTls()).start();
    EmailSender s = sender(SmtpProperties.Tls.IMPLICIT, "127.0.0.1", null, null);

    sendTwo(s);

    assertThat(s.pipelining()).isTrue();
    assertThat(server.connections()).isEqualTo(2);
    assertThat(server.messagesOverTls()).isEqualTo(2);
  }

  @Test
  void implicit_tls_refuses_an_untrusted_certificate() throws Exception {
    server = ScriptedSmtpServer.builder().implicitTls(Relays.greenMailTls()).start();
    assertThatThrownBy(() -> openPipelined(SmtpProperties.Tls.IMPLICIT, null, null, null))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> assertThat(e.classification()).isEqualTo(FailureClass.CONNECTION));
  }

  @Test
  void noop_finds_a_connection_the_relay_has_closed() throws Exception {
    server = ScriptedSmtpServer.start();
    PipelinedConnections.Opened c = openPipelined(SmtpProperties.Tls.NONE, null, null, null);
    try {
      assertThat(c.alive()).isTrue();
      assertThat(server.commands()).contains("NOOP");

      server.dropClients();

      assertThat(c.alive()).isFalse();
      assertThat(c.reusable()).isFalse();
    } finally {
      c.close();
    }
  }

  @Test
  void ums_smtp_pipelining_binds_and_defaults_to_true() {
    Binder on = new Binder(new MapConfigurationPropertySource(Map.of("ums.smtp.host", "relay")));
    Binder off =
        new Binder(
            new MapConfigurationPropertySource(
                Map.of("ums.smtp.host", "relay", "ums.smtp.pipelining", "false")));

    assertThat(on.bind("ums.smtp", SmtpProperties.class).get().pipelining()).isTrue();
    assertThat(off.bind("ums.smtp", SmtpProperties.class).get().pipelining()).isFalse();
    assertThat(off.bind("ums.smtp", SmtpProperties.class).get().maxConnections()).isEqualTo(8);
  }
}
