package dev.ums.observability;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;

/**
 * One notification. Carries numbers and rule names only: never a recipient, a subject, a body or a
 * message id.
 *
 * @param id stable for one firing episode of one rule: its FIRING repeats and its RESOLVED share it
 */
record Alert(String id, AlertRule rule, State state, double value, double threshold, Instant time) {

  /** Whether the rule fires or has just cleared. */
  enum State {
    /** The condition holds. */
    FIRING,
    /** The condition held and no longer does. */
    RESOLVED
  }

  /** Slack-compatible one-line text. */
  String text() {
    return "["
        + state
        + "] UMS "
        + rule.key()
        + " ("
        + rule.severity()
        + "): "
        + rule.summary()
        + " = "
        + number(value)
        + ", threshold "
        + number(threshold);
  }

  static String number(double v) {
    return BigDecimal.valueOf(v)
        .setScale(3, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }
}
