package dev.ums.observability;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Sends alert notifications: always a WARN log line ({@code event=alert rule=… state=…}), and a
 * JSON POST to {@code ums.alerts.webhook.url} when set.
 *
 * <p>Webhook: body {@code {"id","rule","severity","state","value","threshold","time","text"}} (and
 * {@code "labels"} for a one-off alert about one thing, such as a disabled webhook endpoint)
 * ({@code text} is Slack-compatible), signed with {@code X-UMS-Signature: sha256=<hex HMAC-SHA256
 * of the body>} when a secret is set. Delivered on the {@code delivery} scheduler so a slow
 * receiver never delays evaluation; connection errors, 408, 429 and 5xx are retried up to {@code
 * max-attempts} with doubling backoff (scheduled, so a waiting retry holds no thread), then the
 * notification is dropped with an ERROR log line (the log line of the alert itself was already
 * written).
 */
public class AlertNotifier {

  private static final Logger log = LoggerFactory.getLogger(AlertNotifier.class);
  static final String SIGNATURE_HEADER = "X-UMS-Signature";

  private final AlertProperties.Webhook webhook;
  private final JsonMapper json;
  private final Delivery delivery;
  private final HttpClient http;

  /** Where webhook attempts run: the first at once, retries after their backoff. */
  interface Delivery {
    void now(Runnable attempt);

    void after(Duration delay, Runnable attempt);

    /** Both on one scheduler thread: a waiting retry holds no thread. */
    static Delivery on(ScheduledExecutorService scheduler) {
      return new Delivery() {
        @Override
        public void now(Runnable attempt) {
          scheduler.execute(attempt);
        }

        @Override
        public void after(Duration delay, Runnable attempt) {
          scheduler.schedule(attempt, delay.toMillis(), TimeUnit.MILLISECONDS);
        }
      };
    }
  }

  AlertNotifier(AlertProperties.Webhook webhook, JsonMapper json, Delivery delivery) {
    this.webhook = webhook;
    this.json = json;
    this.delivery = delivery;
    this.http =
        webhook.url() == null
            ? null
            : HttpClient.newBuilder().connectTimeout(webhook.connectTimeout()).build();
  }

  /**
   * Notifies a one-off alert (a rule that is not {@link AlertRule#evaluated evaluated}) as FIRING,
   * at once, through the same log line and webhook as evaluated ones; no RESOLVED follows. {@code
   * labels} name what it is about by id ({@code endpoint_id}, {@code client_id}), never personal
   * data.
   */
  public void oneOff(
      AlertRule rule, double value, double threshold, Map<String, String> labels, Instant time) {
    if (rule.evaluated()) {
      throw new IllegalArgumentException(rule.key() + " is evaluated, not notified one-off");
    }
    String id =
        "ums-" + rule.key() + "-" + String.join("-", labels.values()) + "-" + time.toEpochMilli();
    notify(new Alert(id, rule, Alert.State.FIRING, value, threshold, time, labels));
  }

  void notify(Alert a) {
    StringBuilder labels = new StringBuilder();
    new TreeMap<>(a.labels()).forEach((k, v) -> labels.append(' ').append(k).append('=').append(v));
    log.warn(
        "event=alert rule={} state={} value={} threshold={} severity={} id={}{}",
        a.rule().key(),
        a.state(),
        Alert.number(a.value()),
        Alert.number(a.threshold()),
        a.rule().severity(),
        a.id(),
        labels);
    if (http == null) {
      return;
    }
    byte[] body = body(a);
    try {
      delivery.now(() -> post(a, body, request(body), 1, webhook.backoff()));
    } catch (RejectedExecutionException e) {
      log.error(
          "event=alert_webhook_dropped rule={} id={} reason=rejected", a.rule().key(), a.id());
    }
  }

  byte[] body(Alert a) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", a.id());
    m.put("rule", a.rule().key());
    m.put("severity", a.rule().severity());
    m.put("state", a.state().name());
    m.put("value", a.value());
    m.put("threshold", a.threshold());
    m.put("time", a.time().toString());
    m.put("text", a.text());
    if (!a.labels().isEmpty()) {
      m.put("labels", new TreeMap<>(a.labels()));
    }
    return json.writeValueAsBytes(m);
  }

  private HttpRequest request(byte[] body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(webhook.url())
            .timeout(webhook.readTimeout())
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (webhook.secret() != null && !webhook.secret().isEmpty()) {
      b.header(SIGNATURE_HEADER, "sha256=" + hmacHex(webhook.secret(), body));
    }
    return b.build();
  }

  /** One attempt; a retryable failure schedules the next one after {@code backoff}. */
  private void post(Alert a, byte[] body, HttpRequest request, int attempt, Duration backoff) {
    String outcome;
    try {
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      if (status / 100 == 2) {
        return;
      }
      if (!(status >= 500 || status == 408 || status == 429)) {
        log.error(
            "event=alert_webhook_failed rule={} id={} status={} attempt={} retry=false",
            a.rule().key(),
            a.id(),
            status,
            attempt);
        return;
      }
      outcome = "status_" + status;
    } catch (IOException e) {
      outcome = e.getClass().getSimpleName();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return;
    }
    boolean last = attempt >= webhook.maxAttempts();
    log.warn(
        "event=alert_webhook_failed rule={} id={} error={} attempt={} retry={}",
        a.rule().key(),
        a.id(),
        outcome,
        attempt,
        !last);
    if (last) {
      log.error("event=alert_webhook_dropped rule={} id={}", a.rule().key(), a.id());
      return;
    }
    try {
      delivery.after(backoff, () -> post(a, body, request, attempt + 1, backoff.multipliedBy(2)));
    } catch (RejectedExecutionException e) {
      log.error(
          "event=alert_webhook_dropped rule={} id={} reason=rejected", a.rule().key(), a.id());
    }
  }

  /** Hex HMAC-SHA256 of {@code body} under {@code secret} (UTF-8). */
  static String hmacHex(String secret, byte[] body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body));
    } catch (NoSuchAlgorithmException | InvalidKeyException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
