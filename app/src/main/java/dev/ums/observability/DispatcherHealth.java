package dev.ums.observability;

import dev.ums.dispatch.OutboxDispatcher;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * {@code dispatcher}: UP while the local delivery loop completes claims; DOWN when it is stopped or
 * its last completed claim is older than {@code stallAfter} (3 × poll interval + 10 s by default).
 * A loop whose claims keep failing (database away) also goes DOWN. An open relay breaker is a
 * detail here (and an alert), not a DOWN: the loop is doing what it should. Not contributed on
 * intake-only instances.
 */
final class DispatcherHealth implements HealthIndicator {

  private final OutboxDispatcher dispatcher;
  private final Clock clock;
  private final Duration stallAfter;
  private final Instant createdAt;

  DispatcherHealth(OutboxDispatcher dispatcher, Clock clock, Duration stallAfter) {
    this.dispatcher = dispatcher;
    this.clock = clock;
    this.stallAfter = stallAfter;
    this.createdAt = clock.instant();
  }

  @Override
  public Health health() {
    Instant now = clock.instant();
    if (!dispatcher.isRunning()) {
      return Health.down().withDetail("reason", "stopped").build();
    }
    Instant last = dispatcher.lastLoopAt();
    Instant since = last == null ? createdAt : last;
    Duration quiet = Duration.between(since, now);
    Health.Builder b = quiet.compareTo(stallAfter) > 0 ? Health.down() : Health.up();
    return b.withDetail("lastLoopAt", last == null ? "none yet" : last.toString())
        .withDetail("inFlight", dispatcher.inFlight())
        .withDetail("activeSends", dispatcher.activeSends())
        .withDetail("unsent", dispatcher.unsent())
        .withDetail("maxInFlight", dispatcher.maxInFlight())
        .withDetail("relayBreaker", dispatcher.relayBreaker().state().name())
        .build();
  }
}
