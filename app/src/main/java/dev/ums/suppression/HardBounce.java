package dev.ums.suppression;

import java.util.regex.Pattern;

/**
 * Which permanent failures mean the recipient's address itself is bad, so that mailing it again is
 * pointless and harms the sender's reputation: an enhanced status code (RFC 3463) in class 5.1
 * (addressing: bad mailbox 5.1.1, bad domain 5.1.2, bad syntax 5.1.3, moved 5.1.6, no MX 5.1.10),
 * except 5.1.7 and 5.1.8, which are about the sender's address. Other permanent failures (policy or
 * spam refusals 5.7.x, content 5.6.x, a full mailbox 5.2.2, a message too large 5.3.4) say nothing
 * lasting about the address and are not suppressed. The same rule serves a relay's refusal during
 * the send and an asynchronous bounce report.
 */
public final class HardBounce {

  /**
   * An address-failure enhanced code at the start, after a space or bracket, or after a multi-line
   * reply's code ({@code 550-5.1.1}, as a report's diagnostic quotes it).
   */
  private static final Pattern ADDRESS_STATUS =
      Pattern.compile("(?:^|[\\s(]|\\b5\\d\\d-)5\\.1\\.(?![78]\\b)\\d{1,3}\\b");

  private HardBounce() {}

  /** True when a refusal with {@code code} and {@code reply} is a permanent address failure. */
  public static boolean isAddressFailure(int code, String reply) {
    if (code < 500 || code > 599 || reply == null) {
      return false;
    }
    String text = reply.strip();
    // The reply may start with its code ("550 5.1.1 ..."); the enhanced code follows it.
    if (text.length() >= 3 && text.startsWith(Integer.toString(code))) {
      text = text.substring(3);
    }
    return ADDRESS_STATUS.matcher(text.stripLeading().replaceFirst("^-", "")).find();
  }

  /**
   * True when a bounce report's recipient failed permanently for its address: its enhanced {@code
   * status} is one, or, when the status is missing or the generic 5.0.0, the enhanced code quoted
   * in the remote server's {@code diagnostic} reply is.
   */
  public static boolean isAddressFailure(String status, String diagnostic) {
    if (status != null && !status.isBlank() && !status.strip().equals("5.0.0")) {
      return ADDRESS_STATUS.matcher(status.strip()).lookingAt();
    }
    return diagnostic != null && ADDRESS_STATUS.matcher(diagnostic).find();
  }
}
