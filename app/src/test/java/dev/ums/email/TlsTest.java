package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.ums.email.smtp.SmtpEndpoint;
import dev.ums.ledger.FailureClass;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Implicit TLS (SMTPS) against GreenMail's self-signed certificate. */
class TlsTest {

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtps").dynamicPort());

  private static EmailSender sender(String sslTrust) {
    SmtpProperties p =
        new SmtpProperties(
            "127.0.0.1",
            greenMail.getSmtps().getPort(),
            null,
            null,
            SmtpProperties.Tls.IMPLICIT,
            sslTrust,
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(5),
            1,
            null);
    return new EmailSender(p, SmtpEndpoint.relay(p), Clock.systemUTC());
  }

  @Test
  void implicit_tls_delivers_when_the_self_signed_host_is_trusted() throws Exception {
    try (EmailSender sender = sender("127.0.0.1")) {
      assertThat(sender.send(Senders.simple("tls1", "ann@example.com")).reply()).startsWith("250");
    }
    assertThat(greenMail.getReceivedMessages()).hasSize(1);
  }

  @Test
  void implicit_tls_refuses_an_untrusted_certificate() {
    try (EmailSender sender = sender(null)) {
      assertThatThrownBy(() -> sender.send(Senders.simple("tls2", "ann@example.com")))
          .isInstanceOfSatisfying(
              SmtpSendException.class,
              e -> assertThat(e.classification()).isEqualTo(FailureClass.CONNECTION));
    }
    assertThat(greenMail.getReceivedMessages()).isEmpty();
  }
}
