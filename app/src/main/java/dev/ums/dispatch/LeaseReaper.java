package dev.ums.dispatch;

import dev.ums.ledger.Claim;
import dev.ums.ledger.FailureClass;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Returns rows whose lease expired — their dispatcher crashed or stalled — to the queue, counting
 * the lost attempt as a failure ({@code LEASE_EXPIRED}) so a message that keeps killing its
 * dispatcher ends as a dead letter instead of looping forever. Safe to run on every instance at
 * once: each return is a CAS on the expired claim token, so one reaper (or the late original
 * dispatcher) wins and the others' writes are dropped.
 *
 * <p>After this instance has seen the database fail, the reaper holds back for {@code grace}: a
 * database outage longer than a lease would otherwise let it return rows whose results other
 * dispatchers are still holding (they never give results up and record them as soon as the database
 * is back), and those rows would be sent twice.
 */
public class LeaseReaper {

  private static final Logger log = LoggerFactory.getLogger(LeaseReaper.class);
  private static final int LIMIT = 1000;

  private final Ledger ledger;
  private final RetryPolicy retry;
  private final Clock clock;
  private final Supplier<DispatchListener> listener;
  private final Duration grace;

  public LeaseReaper(Ledger ledger, RetryPolicy retry, Clock clock) {
    this(ledger, retry, clock, () -> DispatchListener.NONE, Duration.ZERO);
  }

  /**
   * With {@code listener} told of each returned claim as a LEASE_EXPIRED failure, holding back for
   * {@code grace} after a database failure.
   */
  LeaseReaper(
      Ledger ledger,
      RetryPolicy retry,
      Clock clock,
      Supplier<DispatchListener> listener,
      Duration grace) {
    this.ledger = ledger;
    this.retry = retry;
    this.clock = clock;
    this.listener = listener;
    this.grace = grace;
  }

  /**
   * Returns expired claims to the queue (or the dead letters); the number returned. Returns 0
   * without looking while the grace period after a database failure lasts.
   */
  public int reap() {
    Instant failed = ledger.lastDatabaseFailure();
    if (failed != null && clock.instant().isBefore(failed.plus(grace))) {
      log.info("event=reap_deferred reason=database_recovering");
      return 0;
    }
    int total = 0;
    List<Claim> expired;
    do {
      expired = ledger.expiredLeases(LIMIT);
      Instant now = clock.instant();
      List<Outcome> failures = new java.util.ArrayList<>(expired.size());
      for (Claim c : expired) {
        RetryPolicy.Decision d = retry.afterFailure(c.attempt(), c.createdAt(), now);
        failures.add(
            new Outcome.Failed(
                c,
                FailureClass.LEASE_EXPIRED,
                null,
                "lease expired before a result was recorded",
                d instanceof RetryPolicy.Retry r ? r.at() : null,
                d instanceof RetryPolicy.GiveUp g ? g.reason() : null,
                now,
                true));
      }
      Ledger.Recorded r = ledger.record(failures);
      DispatchListener l = listener.get();
      for (int i = 0; i < r.applied(); i++) {
        l.failed(FailureClass.LEASE_EXPIRED, Duration.ZERO, i < r.deadLettered());
      }
      total += r.applied();
    } while (expired.size() == LIMIT);
    if (total > 0) {
      log.warn("event=leases_reaped count={}", total);
    }
    return total;
  }
}
