package dev.ums.retention;

import dev.ums.ledger.Ledger;
import dev.ums.suppression.Suppressions;
import dev.ums.webhook.WebhookService;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Keeps the event tables from growing forever. Every {@code ums.retention.interval} it deletes,
 * each through the table's owner and in batches of {@code ums.retention.batch-size} rows (one
 * statement and transaction each, so it never holds many row locks at once):
 *
 * <ul>
 *   <li>delivery events older than {@code ums.retention.event-days}, with their event-outbox rows
 *       and webhook deliveries ({@link Ledger#purgeEvents}); none when it is {@code 0} (keep
 *       forever);
 *   <li>finished webhook deliveries older than {@code ums.retention.webhook-delivery-days} ({@link
 *       WebhookService#purgeDeliveryLog}); PENDING ones stay;
 *   <li>expired suppression entries ({@link Suppressions#purgeExpired}), which suppress nothing.
 * </ul>
 *
 * Messages themselves are never deleted. Safe to run on several instances at once.
 */
@Component
class EventRetention implements SchedulingConfigurer {

  private static final Logger log = LoggerFactory.getLogger(EventRetention.class);

  private final Ledger ledger;
  private final WebhookService webhooks;
  private final Suppressions suppressions;
  private final RetentionProperties props;
  private final Clock clock;

  EventRetention(
      Ledger ledger,
      WebhookService webhooks,
      Suppressions suppressions,
      RetentionProperties props,
      Clock clock) {
    this.ledger = ledger;
    this.webhooks = webhooks;
    this.suppressions = suppressions;
    this.props = props;
    this.clock = clock;
  }

  /** Runs every {@code ums.retention.interval}. */
  @Override
  public void configureTasks(ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new FixedDelayTask(this::run, props.interval(), props.interval()));
  }

  void run() {
    try {
      purge();
    } catch (RuntimeException e) {
      log.warn("event=event_retention_failed error={}", e.getClass().getSimpleName());
    }
  }

  /** What one run deleted. */
  record Purged(int events, int webhookDeliveries, int suppressions) {}

  /** Deletes everything due now. */
  Purged purge() {
    Instant now = clock.instant();
    int batch = props.batchSize();
    Instant events = now.minus(Duration.ofDays(props.eventDays()));
    Instant deliveries = now.minus(Duration.ofDays(props.webhookDeliveryDays()));
    Purged p =
        new Purged(
            props.eventsExpire() ? drain(() -> ledger.purgeEvents(events, batch)) : 0,
            drain(() -> webhooks.purgeDeliveryLog(deliveries, batch)),
            drain(() -> suppressions.purgeExpired(now, batch)));
    if (p.events() + p.webhookDeliveries() + p.suppressions() > 0) {
      log.info(
          "event=event_retention events={} webhook_deliveries={} suppressions={}",
          p.events(),
          p.webhookDeliveries(),
          p.suppressions());
    }
    return p;
  }

  /** Repeats one batched delete until a batch comes back short; returns the rows deleted. */
  private int drain(IntSupplier batchDelete) {
    int total = 0;
    int n;
    do {
      n = batchDelete.getAsInt();
      total += n;
    } while (n == props.batchSize());
    return total;
  }
}
