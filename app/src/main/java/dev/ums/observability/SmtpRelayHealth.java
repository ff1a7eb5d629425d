package dev.ums.observability;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code smtpRelay}: UP when the relay accepts a TCP connection (probe cached ~10 s), or when the
 * embedded capture inbox takes the mail; DOWN otherwise. Not part of readiness: intake keeps
 * accepting while the relay is away, and delivery retries.
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
    Health.Builder b = s.up() ? Health.up() : Health.down();
    b.withDetail("host", probe.host()).withDetail("port", probe.port());
    b.withDetail("checkedAt", s.checkedAt().toString());
    if (!s.up()) {
      b.withDetail("error", s.error()).withDetail("downSince", s.downSince().toString());
    }
    return b.build();
  }
}
