package dev.ums.email;

import dev.ums.ledger.FailureClass;
import jakarta.mail.Address;
import jakarta.mail.internet.InternetAddress;
import java.util.List;
import java.util.Locale;

/**
 * Recipients on the reserved domain {@value #DOMAIN} (under RFC 2606's {@code .test}, which never
 * resolves) that produce a chosen delivery outcome without any relay, so that client teams can test
 * their handling of bounces and retries end to end, in development and in production alike:
 *
 * <ul>
 *   <li>{@code delivered@} and {@code complaint@}: accepted ({@code SENT}). UMS has no feedback
 *       loop, so a complaint is recorded as a delivery;
 *   <li>{@code bounce@} (and any other local part): a permanent {@code 550 5.1.1} refusal, so a
 *       dead letter at once;
 *   <li>{@code tempfail@}: a transient {@code 451 4.3.0} refusal, retried on the normal schedule
 *       until {@code ums.retry.max-attempts} or {@code max-age} makes it a dead letter.
 * </ul>
 *
 * <p>A message is simulated only when every envelope recipient is on {@value #DOMAIN}; the most
 * severe outcome among them wins (bounce, then tempfail, then delivered). Its rendering (and DKIM
 * signing) still happens, and the outcome reaches the ledger through the dispatcher's normal result
 * recording, exactly as a relay's reply would.
 */
final class MagicRecipients {

  /** The reserved domain. */
  static final String DOMAIN = "magic.ums.test";

  private static final String SUFFIX = "@" + DOMAIN;

  private MagicRecipients() {}

  /**
   * The simulated outcome when every recipient is magic; null when the message goes to the relay.
   *
   * @throws SmtpSendException the simulated refusal (bounce or tempfail)
   */
  static SendResult simulate(Address[] envelope) throws SmtpSendException {
    if (envelope.length == 0) {
      return null;
    }
    for (Address a : envelope) {
      if (!address(a).endsWith(SUFFIX)) {
        return null;
      }
    }
    boolean tempfail = false;
    for (Address a : envelope) {
      String address = address(a);
      String local = address.substring(0, address.length() - SUFFIX.length());
      switch (local) {
        case "delivered", "complaint" -> {}
        case "tempfail" -> tempfail = true;
        default -> {
          throw new SmtpSendException(
              FailureClass.PERMANENT, 550, "550 5.1.1 simulated bounce (magic recipient)", true);
        }
      }
    }
    if (tempfail) {
      throw new SmtpSendException(
          FailureClass.TRANSIENT,
          451,
          "451 4.3.0 simulated temporary failure (magic recipient)",
          true);
    }
    return new SendResult("250 2.0.0 simulated delivery (magic recipient)", List.of(), true);
  }

  private static String address(Address a) {
    return ((InternetAddress) a).getAddress().toLowerCase(Locale.ROOT);
  }
}
