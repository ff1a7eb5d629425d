package dev.ums.observability;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * One notification. Carries numbers, rule names and, for one-off rules, the ids of what it is about
 * (an endpoint and its client): never a recipient, a subject, a body or a message id.
 *
 * @param id stable for one firing episode of one rule: its FIRING repeats and its RESOLVED share it
 * @param labels what the alert is about, as {@code name: id} pairs (empty for evaluated rules)
 */
record Alert(
    String id,
    AlertRule rule,
    State state,
    double value,
    double threshold,
    Instant time,
    Map<String, String> labels) {

  Alert {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** An alert of an evaluated rule, about the whole instance. */
  Alert(String id, AlertRule rule, State state, double value, double threshold, Instant time) {
    this(id, rule, state, value, threshold, time, Map.of());
  }

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
        + number(threshold)
        + labelText();
  }

  /** {@code " (endpoint_id=…, client_id=…)"} in name order, or nothing. */
  String labelText() {
    if (labels.isEmpty()) {
      return "";
    }
    StringJoiner j = new StringJoiner(", ", " (", ")");
    new TreeMap<>(labels).forEach((k, v) -> j.add(k + "=" + v));
    return j.toString();
  }

  static String number(double v) {
    return BigDecimal.valueOf(v)
        .setScale(3, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }
}
