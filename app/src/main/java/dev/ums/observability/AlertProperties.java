package dev.ums.observability;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Alert thresholds and sinks, {@code ums.alerts.*}. Every rule is evaluated on each instance every
 * {@code interval}; a firing rule is notified once, then again at most once per {@code cooldown},
 * and once more when it clears.
 *
 * @param enabled whether this instance evaluates alerts at all
 * @param interval how often the rules are evaluated
 * @param cooldown least time between two notifications of one firing rule
 * @param backlogAge the oldest due, unclaimed message may wait this long before {@code backlog_age}
 *     fires (and the {@code backlog} health component turns {@code WARN})
 * @param smtpDownFor the relay may be unreachable this long before {@code smtp_down} fires
 * @param failureRatio the {@code failure_ratio} rule
 * @param webhook where notifications are POSTed besides the log; none when its url is unset
 */
@ConfigurationProperties(AlertProperties.PREFIX)
public record AlertProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("30s") Duration interval,
    @DefaultValue("15m") Duration cooldown,
    @DefaultValue("10m") Duration backlogAge,
    @DefaultValue("2m") Duration smtpDownFor,
    @DefaultValue FailureRatio failureRatio,
    @DefaultValue Webhook webhook) {

  static final String PREFIX = "ums.alerts";

  /**
   * Matches when {@code ums.alerts.enabled} is true, bound as this record binds it (so its default
   * is the one above): the condition of the alert evaluator.
   */
  static final class Enabled implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return Binder.get(context.getEnvironment())
          .bindOrCreate(PREFIX, AlertProperties.class)
          .enabled();
    }
  }

  /**
   * Fires when failed attempts / all attempts over {@code window} exceed {@code threshold}, once at
   * least {@code minVolume} attempts were made in the window (a few failures of a quiet instance
   * are not an incident).
   */
  public record FailureRatio(
      @DefaultValue("0.2") double threshold,
      @DefaultValue("5m") Duration window,
      @DefaultValue("20") int minVolume) {

    public FailureRatio {
      if (threshold < 0 || threshold > 1) {
        throw new IllegalArgumentException("ums.alerts.failure-ratio.threshold must be 0..1");
      }
      if (window.toSeconds() < 1) {
        throw new IllegalArgumentException("ums.alerts.failure-ratio.window must be at least 1s");
      }
    }
  }

  /**
   * A JSON POST per notification. With a {@code secret}, the body is signed: header {@code
   * X-UMS-Signature: sha256=<hex HMAC-SHA256 of the body>}.
   *
   * @param url where to POST; no webhook when unset
   * @param secret HMAC key; no signature when unset
   * @param connectTimeout TCP connect timeout
   * @param readTimeout how long to wait for the answer
   * @param maxAttempts attempts in all (connection errors, 408, 429 and 5xx are retried)
   * @param backoff wait before the second attempt, doubled before each later one
   */
  public record Webhook(
      URI url,
      String secret,
      @DefaultValue("2s") Duration connectTimeout,
      @DefaultValue("5s") Duration readTimeout,
      @DefaultValue("3") int maxAttempts,
      @DefaultValue("1s") Duration backoff) {

    public Webhook {
      if (maxAttempts < 1) {
        throw new IllegalArgumentException("ums.alerts.webhook.max-attempts must be at least 1");
      }
    }

    /** Hides the secret from logs and actuator output. */
    @Override
    public String toString() {
      return "Webhook[url=" + url + ", secret=" + (secret == null ? null : "<set>") + "]";
    }
  }
}
