package dev.ums.retention;

import dev.ums.ledger.Ledger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;

/**
 * Drops the content (recipients, subject, bodies, headers; refused recipients) of SENT messages
 * older than {@code ums.retention.content-days} (and of SUPPRESSED messages, which will never be
 * sent, that long after they were suppressed), keeping the row and its metadata (status, times,
 * attempts, failure history) for reporting. The content becomes {@code {}} and {@code
 * content_dropped_at} is set. FAILED, QUEUED, SENDING and CANCELLED messages are never touched, and
 * nothing is deleted. Runs in batches of {@value #BATCH} rows, each its own statement, so it never
 * holds many row locks at once; safe to run on several instances at once.
 */
@Component
class ContentRetention implements SchedulingConfigurer {

  private static final Logger log = LoggerFactory.getLogger(ContentRetention.class);
  static final int BATCH = 1000;
  static final byte[] EMPTY = "{}".getBytes(StandardCharsets.UTF_8);

  private final Ledger ledger;
  private final RetentionProperties props;
  private final Clock clock;

  ContentRetention(Ledger ledger, RetentionProperties props, Clock clock) {
    this.ledger = ledger;
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
      dropExpiredContent();
    } catch (RuntimeException e) {
      log.warn("event=retention_failed error={}", e.getClass().getSimpleName());
    }
  }

  /** Drops what is due now; returns how many messages lost their content. */
  int dropExpiredContent() {
    if (props.contentDays() == null) {
      return 0;
    }
    Instant now = clock.instant();
    Instant cutoff = now.minus(Duration.ofDays(props.contentDays()));
    int total = 0;
    int n;
    do {
      n = ledger.dropContent(cutoff, EMPTY, now, BATCH);
      total += n;
    } while (n == BATCH);
    if (total > 0) {
      log.info("event=content_dropped count={} older_than_days={}", total, props.contentDays());
    }
    return total;
  }
}
