package dev.ums.suppression;

import java.util.regex.Pattern;

/**
 * Which recipient refusals mean the address itself is bad, so that mailing it again is pointless
 * and harms the sender's reputation: a 5xx reply whose enhanced status code (RFC 3463) is in class
 * 5.1 (addressing: bad mailbox 5.1.1, bad domain 5.1.2, bad syntax 5.1.3, moved 5.1.6, no MX
 * 5.1.10). Other 5xx refusals (policy, content, a full mailbox) say nothing lasting about the
 * address and are not suppressed.
 */
public final class HardBounce {

  private static final Pattern ADDRESS_STATUS = Pattern.compile("(?:^|[\\s(])5\\.1\\.\\d{1,3}\\b");

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
}
