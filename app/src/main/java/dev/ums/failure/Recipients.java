package dev.ums.failure;

import dev.ums.message.MailContent;
import java.util.Locale;

/** Recipient domains, read from the decoded content (until the blind index replaces this). */
final class Recipients {

  private Recipients() {}

  /** Whether any to/cc/bcc address of {@code mail} is in {@code domain} (lower case). */
  static boolean anyInDomain(MailContent mail, String domain) {
    for (String address : mail.allRecipients()) {
      if (domain.equals(domainOf(address))) {
        return true;
      }
    }
    return false;
  }

  /** The lower-case domain of {@code ann@example.com} or {@code Ann <ann@example.com>}. */
  static String domainOf(String address) {
    String a = address.trim();
    int lt = a.lastIndexOf('<');
    if (lt >= 0) {
      int gt = a.indexOf('>', lt);
      a = a.substring(lt + 1, gt < 0 ? a.length() : gt);
    }
    int at = a.lastIndexOf('@');
    return at < 0 ? "" : a.substring(at + 1).trim().toLowerCase(Locale.ROOT);
  }

  /** A domain filter as given by a person: trimmed, lower case, without a leading {@code @}. */
  static String normalizeDomain(String domain) {
    if (domain == null) {
      return null;
    }
    String d = domain.trim().toLowerCase(Locale.ROOT);
    if (d.startsWith("@")) {
      d = d.substring(1);
    }
    return d.isEmpty() ? null : d;
  }
}
