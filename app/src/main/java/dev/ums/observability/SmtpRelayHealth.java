package dev.ums.observability;

import java.time.Duration;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code smtpRelay}: UP when the relay answered the last {@link RelayProbe} check (greeting and
 * EHLO; cached ~10 s), or when the embedded capture inbox takes the mail; {@link HealthStatus#WARN}
 * when it did not, with {@code error} and {@code downSince}; UNKNOWN while the very first check is
 * still running.
 *
 * <p>Why WARN and not DOWN: the relay is shared by the whole fleet and intake does not need it
 * (messages wait in the outbox and delivery retries), so failing the aggregate status, liveness or
 * readiness would only make load balancers and orchestrators stop intake that works, on every
 * instance at once. WARN keeps HTTP 200 and shows in the aggregate; the {@code smtp_down} alert is
 * what wakes a person. OUT_OF_SERVICE would answer 503; UNKNOWN ranks below UP and would hide the
 * outage from the aggregate.
 *
 * <p>Never slow: a health request waits for a running check at most {@link #WAIT}; a longer one (a
 * relay that accepts TCP but stays silent takes the reply timeout) goes on in the background and
 * meanwhile the previous result is shown with its {@code checkedAt}.
 */
final class SmtpRelayHealth implements HealthIndicator {

  /** How long a health request waits for a check under way. */
  static final Duration WAIT = Duration.ofMillis(300);

  private final RelayProbe probe;

  SmtpRelayHealth(RelayProbe probe) {
    this.probe = probe;
  }

  @Override
  public Health health() {
    RelayProbe.State s = probe.check(WAIT);
    if (s != null && s.capture()) {
      return Health.up().withDetail("relay", "embedded capture inbox").build();
    }
    Health.Builder b =
        s == null ? Health.unknown() : s.up() ? Health.up() : Health.status(HealthStatus.WARN);
    b.withDetail("host", probe.host()).withDetail("port", probe.port());
    if (s == null) {
      return b.withDetail("reason", "first check still running").build();
    }
    b.withDetail("checkedAt", s.checkedAt().toString());
    if (!s.up()) {
      b.withDetail("error", s.error()).withDetail("downSince", s.downSince().toString());
    }
    return b.build();
  }
}
