package dev.ums.kafka;

import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code kafka}: UP when the broker answered a cluster metadata request (cached for {@link
 * Broker#CACHE}), DOWN with the error otherwise. Readiness does not include it: intake needs only
 * the database, and messages wait in the outbox while the broker is away.
 */
final class KafkaHealth implements HealthIndicator {

  private final Broker broker;
  private final KafkaProperties props;

  KafkaHealth(Broker broker, KafkaProperties props) {
    this.broker = broker;
    this.props = props;
  }

  @Override
  public Health health() {
    Broker.State s = broker.state();
    Health.Builder h = s.up() ? Health.up().withDetail("nodes", s.nodes()) : Health.down();
    if (!s.up()) {
      h.withDetail("error", s.error());
    }
    return h.withDetail("topic", props.topic()).withDetail("checkedAt", s.at().toString()).build();
  }
}
