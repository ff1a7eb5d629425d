package dev.ums.ledger;

import java.util.Locale;

/**
 * How urgent a message is. Claims take due rows of a higher priority first; within a priority, the
 * longest-waiting first. Stored as a small number ({@link #code()}), so the claim index orders by
 * it directly.
 */
public enum Priority {
  /** Sign-in codes, password resets: claimed before everything else that is due. */
  HIGH(0),
  /** Ordinary transactional mail; the default of a single message. */
  NORMAL(1),
  /** Campaigns and digests: claimed only when no higher priority mail is due. */
  BULK(2);

  private final int code;

  Priority(int code) {
    this.code = code;
  }

  /** The stored value: lower is claimed first. */
  public int code() {
    return code;
  }

  /** The name used in the API ({@code high}, {@code normal}, {@code bulk}). */
  public String apiName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The priority named {@code name} in the API (case ignored), or null if there is none. */
  public static Priority parse(String name) {
    for (Priority p : values()) {
      if (p.name().equalsIgnoreCase(name)) {
        return p;
      }
    }
    return null;
  }

  /** The priority stored as {@code code}. */
  public static Priority ofCode(int code) {
    for (Priority p : values()) {
      if (p.code == code) {
        return p;
      }
    }
    throw new IllegalArgumentException("no priority with code " + code);
  }
}
