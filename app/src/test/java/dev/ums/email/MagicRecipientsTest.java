package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.ums.ledger.FailureClass;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import org.junit.jupiter.api.Test;

/** Magic recipients get their outcome without a relay; everyone else still goes to the relay. */
class MagicRecipientsTest {

  @Test
  void magic_recipients_get_their_outcome_and_never_reach_the_relay() throws Exception {
    try (ScriptedSmtpServer relay = ScriptedSmtpServer.start();
        EmailSender s = Senders.sender(relay.port())) {
      SendResult delivered = s.send(Senders.simple("m1", "delivered@magic.ums.test"));
      assertThat(delivered.simulated()).isTrue();
      assertThat(s.send(Senders.simple("m2", "Complaint@Magic.UMS.test")).simulated()).isTrue();

      SmtpSendException bounce =
          catchThrowableOfType(
              SmtpSendException.class, () -> s.send(Senders.simple("m3", "bounce@magic.ums.test")));
      assertThat(bounce.classification()).isEqualTo(FailureClass.PERMANENT);
      assertThat(bounce.replyCode()).isEqualTo(550);
      assertThat(bounce.simulated()).isTrue();

      SmtpSendException tempfail =
          catchThrowableOfType(
              SmtpSendException.class,
              () ->
                  s.send(
                      Senders.simple("m4", "delivered@magic.ums.test", "tempfail@magic.ums.test")));
      assertThat(tempfail.classification()).isEqualTo(FailureClass.TRANSIENT);
      assertThat(tempfail.simulated()).isTrue();

      assertThat(relay.connections()).isZero();
      assertThat(relay.messages()).isEmpty();

      // One real recipient: the whole message goes to the relay, as any other.
      SendResult real = s.send(Senders.simple("m5", "bounce@magic.ums.test", "ann@ums.test"));
      assertThat(real.simulated()).isFalse();
      await().until(() -> relay.messages().size() == 1);
    }
  }
}
