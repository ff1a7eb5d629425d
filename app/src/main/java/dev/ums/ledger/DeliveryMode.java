package dev.ums.ledger;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * Where a message goes: an API key's mode, copied onto every message it sends. Written in the API
 * and the database in lower case ({@code live}, {@code test}).
 */
public enum DeliveryMode {
  /** Delivered through the relay (or, in development mode, the capture inbox). */
  LIVE,
  /**
   * Validated, rendered, stored, signed and recorded like live mail, but never handed to any SMTP
   * server: marked {@code SENT} with a simulated reply, its content readable by its owner.
   */
  TEST;

  /** The name in the API and the database. */
  @JsonValue
  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The mode named {@code name} ({@code live} or {@code test}, any case); null if none is. */
  public static DeliveryMode ofWireName(String name) {
    if (name == null) {
      return null;
    }
    for (DeliveryMode m : values()) {
      if (m.wireName().equalsIgnoreCase(name)) {
        return m;
      }
    }
    return null;
  }

  public boolean test() {
    return this == TEST;
  }
}
