package dev.ums.sender;

import java.util.List;
import java.util.Locale;

/**
 * The sender domains one API client may use in {@code From} and {@code Reply-To}. An address's
 * domain is allowed when it equals an allowed domain or is a subdomain of one ({@code
 * mail.shop.example} under {@code shop.example}; {@code evilshop.example} is not). Comparison
 * ignores case.
 *
 * @param anyDomain true for ADMIN keys: no restriction
 * @param domains lower-case allowed domains; empty means only the default sender may be used
 */
public record AllowedSenders(boolean anyDomain, List<String> domains) {

  /** No restriction (ADMIN keys). */
  public static final AllowedSenders ANY = new AllowedSenders(true, List.of());

  /** No domain: only the service's default sender. */
  public static final AllowedSenders NONE = new AllowedSenders(false, List.of());

  public AllowedSenders {
    domains = List.copyOf(domains);
  }

  /** Whether an address in {@code domain} may be used. */
  public boolean allows(String domain) {
    if (anyDomain) {
      return true;
    }
    String d = domain.toLowerCase(Locale.ROOT);
    for (String allowed : domains) {
      if (d.equals(allowed) || d.endsWith("." + allowed)) {
        return true;
      }
    }
    return false;
  }
}
