package dev.ums.ledger;

import java.util.Locale;

/** What a report received after a message was sent says about one of its recipients. */
public enum BounceKind {
  /** Permanently undeliverable (a DSN with action {@code failed}, status 5.x.x). */
  HARD,
  /** Not delivered yet or not this time (action {@code delayed}, or status 4.x.x). */
  SOFT,
  /** The recipient reported the message as unwanted (an RFC 5965 feedback report). */
  COMPLAINT;

  /** The name events and webhooks use: {@code hard}, {@code soft}, {@code complaint}. */
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind whose {@link #wireName} is {@code name} (any case); empty for anything else. */
  public static java.util.Optional<BounceKind> parse(String name) {
    for (BounceKind k : values()) {
      if (k.name().equalsIgnoreCase(name)) {
        return java.util.Optional.of(k);
      }
    }
    return java.util.Optional.empty();
  }
}
