package dev.ums.email;

import dev.ums.email.smtp.SmtpFailures;
import dev.ums.ledger.FailureClass;
import java.util.List;

/**
 * An SMTP hand-off that delivered the message to no recipient at all. The message text never
 * carries personal data: server replies are included with every address replaced by {@code
 * <redacted>}. No cause is attached, because Jakarta Mail exceptions carry recipient addresses; the
 * cause's type is named in the message instead. Every one is built by {@link SmtpFailures}, which
 * classifies and words send failures in one place.
 */
public class SmtpSendException extends Exception {

  private final FailureClass classification;
  private final Integer replyCode;
  private final boolean simulated;
  private final transient List<SendResult.Refused> refused;

  public SmtpSendException(FailureClass classification, Integer replyCode, String message) {
    this(classification, replyCode, message, false);
  }

  /**
   * Every recipient refused at RCPT TO: {@code refused} says how each was (addresses are personal
   * data, kept out of the message text).
   */
  public SmtpSendException(
      FailureClass classification,
      Integer replyCode,
      String message,
      List<SendResult.Refused> refused) {
    super(SmtpFailures.redact(message));
    this.classification = classification;
    this.replyCode = replyCode;
    this.simulated = false;
    this.refused = List.copyOf(refused);
  }

  SmtpSendException(
      FailureClass classification, Integer replyCode, String message, boolean simulated) {
    super(SmtpFailures.redact(message));
    this.classification = classification;
    this.replyCode = replyCode;
    this.simulated = simulated;
    this.refused = List.of();
  }

  /** The recipients the server refused, when it refused every one at RCPT TO; else empty. */
  public List<SendResult.Refused> refused() {
    return refused == null ? List.of() : refused;
  }

  /** No relay was involved (magic recipients): says nothing about the relay's health. */
  public boolean simulated() {
    return simulated;
  }

  /** Whether, and why, a retry may help. */
  public FailureClass classification() {
    return classification;
  }

  /** The SMTP reply code that decided the outcome, or null when there was no reply (I/O). */
  public Integer replyCode() {
    return replyCode;
  }
}
