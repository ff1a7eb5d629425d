package dev.ums.dispatch;

import java.util.Locale;
import org.springframework.core.env.Environment;

/**
 * How claimed mail reaches the senders ({@code ums.transport}): {@link #DATABASE}, every instance
 * claims from the outbox itself (the default), or {@link #KAFKA}, a relay claims and publishes and
 * senders consume (see {@code dev.ums.kafka}).
 */
public enum Transport {
  DATABASE,
  KAFKA;

  public static final String PROPERTY = "ums.transport";

  /** The configured transport; an unknown value is a start-up error naming the setting. */
  public static Transport of(Environment env) {
    String v = env.getProperty(PROPERTY, "database").trim();
    try {
      return valueOf(v.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(
          PROPERTY + " must be 'database' or 'kafka', not '" + v + "'", e);
    }
  }
}
