package dev.ums.observability;

/** The alert rules {@link AlertEvaluator} checks; each has a stable key and a severity. */
public enum AlertRule {
  /** Failed attempts / all attempts over the window above the threshold (value: ratio 0..1). */
  FAILURE_RATIO("failure_ratio", "critical", "SMTP failure ratio over the window"),
  /** The oldest due, unclaimed message has waited too long (value: seconds). */
  BACKLOG_AGE("backlog_age", "warning", "oldest due message waiting (s)"),
  /** Messages were dead-lettered since the last evaluation (value: how many). */
  DEAD_LETTERS("dead_letters", "warning", "new dead letters"),
  /** The SMTP relay has been unreachable too long (value: seconds down). */
  SMTP_DOWN("smtp_down", "critical", "SMTP relay unreachable (s)"),
  /**
   * This instance's relay circuit breaker is open: dispatch has paused and probes the relay (value:
   * seconds open).
   */
  RELAY_BREAKER_OPEN("relay_breaker_open", "critical", "relay circuit breaker open (s)"),
  /**
   * A webhook endpoint was disabled for failing without a success for {@code
   * ums.webhooks.disable-after} (value: hours failing; labels {@code endpoint_id}, {@code
   * client_id}). Not evaluated: notified once, when it happens, with no RESOLVED after it.
   */
  WEBHOOK_ENDPOINT_DISABLED(
      "webhook_endpoint_disabled", "warning", "webhook endpoint disabled after failing (h)");

  private final String key;
  private final String severity;
  private final String summary;

  AlertRule(String key, String severity, String summary) {
    this.key = key;
    this.severity = severity;
    this.summary = summary;
  }

  public String key() {
    return key;
  }

  public String severity() {
    return severity;
  }

  public String summary() {
    return summary;
  }

  /**
   * Whether {@link AlertEvaluator} checks this rule (FIRING, then RESOLVED); the others are one-off
   * notifications of something that happened.
   */
  public boolean evaluated() {
    return this != WEBHOOK_ENDPOINT_DISABLED;
  }
}
