package dev.ums.bounce;

import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * The per-message return path (VERP): {@code bounces+<message id>@<bounce domain>}. A message sent
 * with it as its envelope sender ({@code MAIL FROM}) has its bounces addressed to it, so the
 * address a bounce arrives at names the message. Parsing is strict: the local part must be exactly
 * the prefix and a UUID, and the domain the bounce domain (case ignored).
 */
public final class ReturnPath {

  /** The local part's prefix; the message id follows the {@code +}. */
  static final String PREFIX = "bounces+";

  private ReturnPath() {}

  /** The return path of message {@code id} at {@code bounceDomain}. */
  public static String of(UUID id, String bounceDomain) {
    return PREFIX + id + "@" + bounceDomain.toLowerCase(Locale.ROOT);
  }

  /** Whether {@code address} ({@code a@b} or {@code <a@b>}) is at {@code bounceDomain}. */
  static boolean atDomain(String address, String bounceDomain) {
    String a = bare(address);
    int at = a.lastIndexOf('@');
    return at > 0 && a.substring(at + 1).equalsIgnoreCase(bounceDomain);
  }

  /**
   * The message id in {@code address}, when it is a return path at {@code bounceDomain}; empty for
   * any other address, including a malformed id.
   */
  static Optional<UUID> messageId(String address, String bounceDomain) {
    if (address == null || !atDomain(address, bounceDomain)) {
      return Optional.empty();
    }
    String a = bare(address);
    String local = a.substring(0, a.lastIndexOf('@'));
    if (!local.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return Optional.empty();
    }
    return uuid(local.substring(PREFIX.length()));
  }

  /** {@code s} as a UUID in its canonical 36-character form, else empty. */
  static Optional<UUID> uuid(String s) {
    if (s.length() != 36) {
      return Optional.empty();
    }
    try {
      UUID id = UUID.fromString(s);
      // UUID.fromString accepts short groups; only the canonical form is one of ours.
      return id.toString().equalsIgnoreCase(s) ? Optional.of(id) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static String bare(String address) {
    String a = address.strip();
    if (a.startsWith("<") && a.endsWith(">")) {
      a = a.substring(1, a.length() - 1);
    }
    return a;
  }
}
