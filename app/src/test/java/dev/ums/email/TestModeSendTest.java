package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

import dev.ums.ledger.DeliveryMode;
import dev.ums.ledger.FailureClass;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import org.junit.jupiter.api.Test;

/** A test-mode send never opens a connection; magic recipients still decide its outcome. */
class TestModeSendTest {

  @Test
  void test_mode_is_accepted_without_a_connection_and_live_mail_still_reaches_the_relay()
      throws Exception {
    try (ScriptedSmtpServer relay = ScriptedSmtpServer.start();
        EmailSender s = Senders.sender(relay.port())) {
      SendResult captured =
          s.send(
              Senders.simple("t1", "ann@example.com"), EmailSender.NO_DEADLINE, DeliveryMode.TEST);
      assertThat(captured.simulated()).isTrue();
      assertThat(captured.reply()).isEqualTo(EmailSender.TEST_MODE_REPLY);
      assertThat(captured.complete()).isTrue();

      SmtpSendException bounce =
          catchThrowableOfType(
              SmtpSendException.class,
              () ->
                  s.send(
                      Senders.simple("t2", "bounce@magic.ums.test"),
                      EmailSender.NO_DEADLINE,
                      DeliveryMode.TEST));
      assertThat(bounce.classification()).isEqualTo(FailureClass.PERMANENT);
      assertThat(bounce.simulated()).isTrue();

      assertThat(relay.connections()).isZero();
      assertThat(s.connectionsOpened()).isZero();

      SendResult live =
          s.send(
              Senders.simple("t3", "ann@example.com"), EmailSender.NO_DEADLINE, DeliveryMode.LIVE);
      assertThat(live.simulated()).isFalse();
      await().until(() -> relay.messages().size() == 1);
    }
  }
}
