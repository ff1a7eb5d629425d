package dev.ums.observability;

import dev.ums.dispatch.DispatchListener;
import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.dispatch.RelayBreaker;
import dev.ums.ledger.DeliveryMode;
import dev.ums.ledger.FailureClass;
import dev.ums.message.MessagesQueued;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.springframework.context.event.EventListener;

/**
 * Delivery metrics, fed by the dispatcher's {@link DispatchListener} hooks and by intake's {@link
 * MessagesQueued} events. Tags are low-cardinality only: the failure classification, never a
 * recipient or a message id. Also keeps the sliding attempt/failure counts and the dead-letter
 * count that the alert rules read.
 */
final class DispatchMetrics implements DispatchListener {

  /** Classifications the dispatcher reports; anything else is counted as {@code OTHER}. */
  private final MeterRegistry registry;

  private final DeliveryWindow window;
  private final Counter accepted;
  private final Counter redriven;
  private final Counter sent;
  private final Counter captured;
  private final Counter retried;
  private final Counter deadLettered;
  private final Counter suppressedMessages;
  private final Counter suppressedRecipients;
  private final Counter hardBounces;
  private final Map<FailureClass, Counter> failed = new java.util.EnumMap<>(FailureClass.class);
  private final Timer smtpDuration;
  private final Timer acceptToSent;
  private final DistributionSummary claimBatch;
  private final AtomicLong deadLetters = new AtomicLong();

  DispatchMetrics(MeterRegistry registry, DeliveryWindow window) {
    this.registry = registry;
    this.window = window;
    accepted =
        Counter.builder("ums.messages.accepted")
            .description("Messages committed by intake")
            .register(registry);
    redriven =
        Counter.builder("ums.messages.redriven")
            .description("Dead letters an operator queued again")
            .register(registry);
    // Test-mode messages are SENT without a relay: a tag keeps them out of delivery dashboards.
    sent =
        Counter.builder("ums.dispatch.sent")
            .description("Messages the SMTP relay accepted (mode=live) or test mode captured")
            .tag("mode", DeliveryMode.LIVE.wireName())
            .register(registry);
    captured =
        Counter.builder("ums.dispatch.sent")
            .description("Messages the SMTP relay accepted (mode=live) or test mode captured")
            .tag("mode", DeliveryMode.TEST.wireName())
            .register(registry);
    retried =
        Counter.builder("ums.dispatch.retried")
            .description("Failed attempts that will be retried")
            .register(registry);
    deadLettered =
        Counter.builder("ums.dispatch.dead.lettered")
            .description("Messages that ended FAILED (dead letter)")
            .register(registry);
    suppressedMessages =
        Counter.builder("ums.dispatch.suppressed.messages")
            .description("Claimed messages not sent: every recipient suppressed")
            .register(registry);
    suppressedRecipients =
        Counter.builder("ums.dispatch.suppressed.recipients")
            .description("Recipients left out at dispatch because they are suppressed")
            .register(registry);
    hardBounces =
        Counter.builder("ums.suppression.hard.bounces")
            .description("Addresses suppressed after a permanent 5.1.x refusal by the relay")
            .register(registry);
    for (FailureClass c : FailureClass.values()) {
      failed.put(
          c,
          Counter.builder("ums.dispatch.failed")
              .description("Failed SMTP attempts by classification")
              .tag("classification", c.name())
              .register(registry));
    }
    smtpDuration =
        Timer.builder("ums.smtp.send.duration")
            .description("One SMTP hand-off, successful or not")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofMinutes(1))
            .register(registry);
    acceptToSent =
        Timer.builder("ums.dispatch.accept.to.sent")
            .description("From intake commit to the relay's acceptance")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(5))
            .maximumExpectedValue(Duration.ofHours(1))
            .register(registry);
    claimBatch =
        DistributionSummary.builder("ums.dispatch.claim.batch.size")
            .description("Rows taken by one non-empty claim")
            .register(registry);
  }

  /** Gauges that read the local dispatcher (absent on intake-only instances). */
  void bind(OutboxDispatcher dispatcher) {
    Gauge.builder("ums.dispatch.active.workers", dispatcher, OutboxDispatcher::activeSends)
        .description("SMTP sends running right now")
        .register(registry);
    Gauge.builder("ums.dispatch.inflight", dispatcher, OutboxDispatcher::inFlight)
        .description("Claimed rows whose outcome is not yet recorded")
        .register(registry);
    RelayBreaker breaker = dispatcher.relayBreaker();
    Gauge.builder("ums.relay.breaker.state", breaker, b -> b.state().ordinal())
        .description("Relay circuit breaker: 0 closed, 1 open, 2 half-open")
        .register(registry);
    FunctionCounter.builder("ums.relay.breaker.trips", breaker, RelayBreaker::trips)
        .description("Times the relay circuit breaker opened")
        .register(registry);
  }

  @EventListener
  void onQueued(MessagesQueued e) {
    (e.cause() == MessagesQueued.Cause.INTAKE ? accepted : redriven).increment(e.count());
  }

  @Override
  public void claimed(int count) {
    if (count > 0) {
      claimBatch.record(count);
    }
  }

  @Override
  public void sent(Duration smtpTime, Duration sinceAccepted, int attempt, DeliveryMode mode) {
    if (mode.test()) {
      captured.increment(); // no SMTP, no delivery: neither timed nor in the alert window
      return;
    }
    sent.increment();
    smtpDuration.record(smtpTime);
    acceptToSent.record(sinceAccepted.isNegative() ? Duration.ZERO : sinceAccepted);
    window.record(false);
  }

  @Override
  public void failed(FailureClass classification, Duration smtpTime, boolean deadLettered) {
    failed.get(classification).increment();
    smtpDuration.record(smtpTime);
    if (deadLettered) {
      this.deadLettered.increment();
      deadLetters.incrementAndGet();
    } else {
      retried.increment();
    }
    window.record(true);
  }

  @Override
  public void suppressed(int recipients, boolean wholeMessage) {
    suppressedRecipients.increment(recipients);
    if (wholeMessage) {
      suppressedMessages.increment();
    }
  }

  @Override
  public void hardBounced(int count) {
    hardBounces.increment(count);
  }

  /** Dead letters seen by this instance's dispatcher since start. */
  long deadLetters() {
    return deadLetters.get();
  }

  DeliveryWindow.Counts window() {
    return window.counts();
  }
}
