package dev.ums.observability;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;

/**
 * Evaluates the alert rules every {@code ums.alerts.interval} and hands state changes to {@link
 * AlertNotifier}: FIRING when a rule starts to hold (a new episode with a new id), FIRING again at
 * most once per {@code ums.alerts.cooldown} while it keeps holding, RESOLVED once when it clears.
 *
 * <p>A rule whose input is unknown (outbox unreadable) keeps its state until it can be read again.
 * State is in memory: after a restart a still-firing rule is notified again as a new episode. Each
 * instance evaluates on its own; failure ratio, dead letters and the relay breaker are per
 * instance, backlog age and relay reachability are fleet-wide, so with N instances they may be
 * notified N times (turn evaluation off with {@code ums.alerts.enabled=false} on all but one, or
 * alert from Prometheus).
 */
public class AlertEvaluator implements SchedulingConfigurer {

  private static final Logger log = LoggerFactory.getLogger(AlertEvaluator.class);

  private record Episode(String id, Instant since, Instant lastNotified) {}

  private record Reading(boolean firing, double value, double threshold) {}

  private final AlertProperties props;
  private final AlertSignals signals;
  private final AlertNotifier notifier;
  private final Clock clock;
  private final Map<AlertRule, Episode> active = new EnumMap<>(AlertRule.class);
  private long deadLettersSeen;

  AlertEvaluator(AlertProperties props, AlertSignals signals, AlertNotifier notifier, Clock clock) {
    this.props = props;
    this.signals = signals;
    this.notifier = notifier;
    this.clock = clock;
    this.deadLettersSeen = signals.deadLetters();
  }

  /** Evaluates every {@code ums.alerts.interval}, the first time one interval after start. */
  @Override
  public void configureTasks(ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new FixedDelayTask(this::evaluate, props.interval(), props.interval()));
  }

  /** Checks every rule once; never throws. */
  public synchronized void evaluate() {
    Instant now = clock.instant();
    for (AlertRule rule : AlertRule.values()) {
      if (!rule.evaluated()) {
        continue;
      }
      try {
        Reading r = read(rule, now);
        if (r != null) {
          apply(rule, r, now);
        }
      } catch (RuntimeException e) {
        log.warn(
            "event=alert_rule_failed rule={} error={}", rule.key(), e.getClass().getSimpleName());
      }
    }
  }

  /** Rules firing right now. */
  public synchronized Set<AlertRule> firing() {
    return Set.copyOf(active.keySet());
  }

  private Reading read(AlertRule rule, Instant now) {
    return switch (rule) {
      case FAILURE_RATIO -> {
        DeliveryWindow.Counts c = signals.delivery();
        double threshold = props.failureRatio().threshold();
        boolean enough = c.attempts() >= props.failureRatio().minVolume();
        yield new Reading(enough && c.ratio() > threshold, c.ratio(), threshold);
      }
      case BACKLOG_AGE -> {
        Duration age = signals.oldestDueAge();
        if (age == null) {
          yield null;
        }
        yield new Reading(
            age.compareTo(props.backlogAge()) > 0, seconds(age), seconds(props.backlogAge()));
      }
      case DEAD_LETTERS -> {
        long total = signals.deadLetters();
        long fresh = total - deadLettersSeen;
        deadLettersSeen = total;
        yield new Reading(fresh > 0, fresh, 0);
      }
      case SMTP_DOWN -> {
        Instant since = signals.relayDownSince();
        Duration down = since == null ? Duration.ZERO : Duration.between(since, now);
        yield new Reading(
            since != null && down.compareTo(props.smtpDownFor()) >= 0,
            seconds(down),
            seconds(props.smtpDownFor()));
      }
      case RELAY_BREAKER_OPEN -> {
        Instant since = signals.relayBreakerOpenSince();
        yield new Reading(
            since != null, since == null ? 0 : seconds(Duration.between(since, now)), 0);
      }
      case WEBHOOK_ENDPOINT_DISABLED -> null;
    };
  }

  private void apply(AlertRule rule, Reading r, Instant now) {
    Episode e = active.get(rule);
    if (r.firing()) {
      if (e == null) {
        e = new Episode("ums-" + rule.key() + "-" + now.toEpochMilli(), now, now);
        active.put(rule, e);
        notifier.notify(new Alert(e.id(), rule, Alert.State.FIRING, r.value(), r.threshold(), now));
      } else if (Duration.between(e.lastNotified(), now).compareTo(props.cooldown()) >= 0) {
        active.put(rule, new Episode(e.id(), e.since(), now));
        notifier.notify(new Alert(e.id(), rule, Alert.State.FIRING, r.value(), r.threshold(), now));
      }
    } else if (e != null) {
      active.remove(rule);
      notifier.notify(new Alert(e.id(), rule, Alert.State.RESOLVED, r.value(), r.threshold(), now));
    }
  }

  private static double seconds(Duration d) {
    return d.toMillis() / 1000.0;
  }
}
