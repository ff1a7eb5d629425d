package dev.ums.observability;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code smtpRelay}: UP when the relay accepts a TCP connection (probe cached ~10 s), or when the
 * embedded capture inbox takes the mail; {@link HealthStatus#WARN} otherwise, with {@code error}
 * and {@code downSince}.
 *
 * <p>Why WARN and not DOWN: the relay is shared by the whole fleet and intake does not need it
 * (messages wait in the outbox and delivery retries), so failing the aggregate status, liveness or
 * readiness would only make load balancers and orchestrators stop intake that works, on every
 * instance at once. WARN keeps HTTP 200 and shows in the aggregate; the {@code smtp_down} alert is
 * what wakes a person. OUT_OF_SERVICE would answer 503; UNKNOWN ranks below UP and would hide the
 * outage from the aggregate.
 */
final class SmtpRelayHealth implements HealthIndicator {

  private final RelayProbe probe;

  SmtpRelayHealth(RelayProbe probe) {
    this.probe = probe;
  }

  @Override
  public Health health() {
    RelayProbe.State s = probe.check();
    if (s.capture()) {
      return Health.up().withDetail("relay", "embedded capture inbox").build();
    }
    Health.Builder b = s.up() ? Health.up() : Health.status(HealthStatus.WARN);
    b.withDetail("host", probe.host()).withDetail("port", probe.port());
    b.withDetail("checkedAt", s.checkedAt().toString());
    if (!s.up()) {
      b.withDetail("error", s.error()).withDetail("downSince", s.downSince().toString());
    }
    return b.build();
  }
}
