package dev.ums.email.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.ledger.FailureClass;
import jakarta.mail.MessagingException;
import java.io.EOFException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.List;
import org.eclipse.angus.mail.util.MailConnectException;
import org.eclipse.angus.mail.util.SocketConnectException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SmtpFailuresTest {

  @ParameterizedTest
  @CsvSource({
    "421, TRANSIENT",
    "450, TRANSIENT",
    "451, TRANSIENT",
    "452, TRANSIENT",
    "500, PERMANENT",
    "550, PERMANENT",
    "552, PERMANENT",
    "554, PERMANENT"
  })
  void reply_code_decides_the_class(int code, FailureClass expected) {
    assertThat(SmtpFailures.classify(code, new MessagingException(code + " reply")))
        .isEqualTo(expected);
  }

  @Test
  void socket_timeout_anywhere_in_the_chain_is_timeout_even_with_a_stale_code() {
    MessagingException e =
        new MessagingException("Exception reading response", new SocketTimeoutException("Read"));
    assertThat(SmtpFailures.classify(250, e)).isEqualTo(FailureClass.TIMEOUT);
    assertThat(SmtpFailures.classify(550, e)).isEqualTo(FailureClass.TIMEOUT);
  }

  @Test
  void connect_failure_is_connection() {
    MailConnectException e =
        new MailConnectException(
            new SocketConnectException(
                "refused", new ConnectException("Connection refused"), "127.0.0.1", 25, 5000));
    assertThat(SmtpFailures.classify(-1, e)).isEqualTo(FailureClass.CONNECTION);
    assertThat(SmtpFailures.classify(-1, new ConnectException("refused")))
        .isEqualTo(FailureClass.CONNECTION);
  }

  @Test
  void dropped_connection_or_missing_reply_is_connection() {
    assertThat(SmtpFailures.classify(-1, new MessagingException("[EOF]")))
        .isEqualTo(FailureClass.CONNECTION);
    assertThat(
            SmtpFailures.classify(
                250, new MessagingException("Exception reading", new EOFException())))
        .isEqualTo(FailureClass.CONNECTION);
  }

  @Test
  void only_timeouts_connections_and_4xx_are_retryable() {
    assertThat(FailureClass.TRANSIENT.retryable()).isTrue();
    assertThat(FailureClass.TIMEOUT.retryable()).isTrue();
    assertThat(FailureClass.CONNECTION.retryable()).isTrue();
    assertThat(FailureClass.PERMANENT.retryable()).isFalse();
  }

  @Test
  void all_refused_is_permanent_only_when_every_code_is_5xx() {
    assertThat(SmtpFailures.allRefused(List.of(550, 553))).isEqualTo(FailureClass.PERMANENT);
    assertThat(SmtpFailures.allRefused(List.of(550, 452))).isEqualTo(FailureClass.TRANSIENT);
    assertThat(SmtpFailures.allRefused(List.of(450))).isEqualTo(FailureClass.TRANSIENT);
  }

  @Test
  void redaction_removes_addresses_with_or_without_brackets() {
    assertThat(SmtpFailures.redact("550 5.1.1 <bob@x.example>: unknown user"))
        .isEqualTo("550 5.1.1 <redacted>: unknown user");
    assertThat(SmtpFailures.redact("550 user bob.lee+tag@x.example unknown\r\n"))
        .isEqualTo("550 user <redacted> unknown");
    assertThat(SmtpFailures.redact("550 5.1.1 <jürgen@bücher.example> no"))
        .isEqualTo("550 5.1.1 <redacted> no");
    assertThat(SmtpFailures.redact("250 2.0.0 Ok")).isEqualTo("250 2.0.0 Ok");
  }
}
