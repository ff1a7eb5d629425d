package dev.ums.dispatch;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/**
 * Dispatch settings ({@code ums.dispatch.*}) and retry settings ({@code ums.retry.*}).
 *
 * @param enabled whether this instance runs a dispatcher at all (intake-only instances: false)
 * @param batchSize most rows taken by one claim statement
 * @param workers concurrent SMTP sends
 * @param prefetch claimed rows held beyond the worker count, so workers never wait for a claim; an
 *     instance holds at most {@code workers + prefetch} claimed rows whose results are not recorded
 * @param lease how long a claim is exclusive; a crashed dispatcher's rows come back after it. Must
 *     be at least 1.5 × (connect + read + write timeout of {@code ums.smtp}), or start-up fails: a
 *     send starts only when that much is left of its lease
 * @param pollInterval fallback poll when no wake-up signal arrives
 * @param reapInterval how often expired leases are returned to the queue
 * @param reapGrace after this instance saw the database fail, how long the reaper waits before it
 *     returns expired leases again, so that dispatchers can first record the results they held
 *     through the outage
 * @param shutdownTimeout how long in-flight sends may finish on shutdown
 * @param instanceId written to {@code outbox.claimed_by}; default host-pid-random
 * @param listenNotify whether to use PostgreSQL LISTEN/NOTIFY to wake other instances
 * @param breaker the relay circuit breaker, see {@link RelayBreaker}
 */
@ConfigurationProperties(DispatchProperties.PREFIX)
public record DispatchProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("100") int batchSize,
    @DefaultValue("8") int workers,
    @DefaultValue("8") int prefetch,
    @DefaultValue("2m") Duration lease,
    @DefaultValue("1s") Duration pollInterval,
    @DefaultValue("10s") Duration reapInterval,
    @DefaultValue("30s") Duration reapGrace,
    @DefaultValue("20s") Duration shutdownTimeout,
    String instanceId,
    @DefaultValue("true") boolean listenNotify,
    @DefaultValue Breaker breaker) {

  static final String PREFIX = "ums.dispatch";

  public DispatchProperties {
    if (batchSize < 1 || workers < 1 || prefetch < 0) {
      throw new IllegalArgumentException(
          "ums.dispatch.batch-size and ums.dispatch.workers must be at least 1, "
              + "ums.dispatch.prefetch at least 0");
    }
  }

  /**
   * Matches when {@code ums.dispatch.enabled} is true, bound as this record binds it (so its
   * default is the one above): the condition of every bean that exists only with a dispatcher.
   */
  public static final class Enabled implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      return Binder.get(context.getEnvironment())
          .bindOrCreate(PREFIX, DispatchProperties.class)
          .enabled();
    }
  }

  /**
   * Matches where this instance runs a dispatcher: {@link Enabled}, and in Kafka mode ({@link
   * Transport#KAFKA}) only with {@code ums.kafka.sender.enabled=true} (a relay-only or intake-only
   * instance has none, but still reaps expired leases).
   */
  public static final class Sends implements Condition {
    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
      if (!new Enabled().matches(context, metadata)) {
        return false;
      }
      return Transport.of(context.getEnvironment()) == Transport.DATABASE
          || context.getEnvironment().getProperty("ums.kafka.sender.enabled", Boolean.class, false);
    }
  }

  /** Most claimed rows one instance holds whose results are not yet recorded. */
  public int maxInFlight() {
    return workers + prefetch;
  }

  /**
   * {@code ums.dispatch.breaker.*}: the relay circuit breaker ({@link RelayBreaker}).
   *
   * @param enabled whether relay-wide failures stop claiming and are not charged to messages
   * @param window how many recent attempts are judged
   * @param minFailures fewest failures in the window that can open the breaker
   * @param failureRatio share of the window that must have failed to open it
   * @param openFor how long it stays open the first time before a probe
   * @param maxOpenFor longest wait between probes (the wait doubles after each failed probe)
   */
  public record Breaker(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("20") int window,
      @DefaultValue("5") int minFailures,
      @DefaultValue("0.5") double failureRatio,
      @DefaultValue("1s") Duration openFor,
      @DefaultValue("30s") Duration maxOpenFor) {

    public Breaker {
      if (window < 1 || minFailures < 1 || minFailures > window) {
        throw new IllegalArgumentException(
            "ums.dispatch.breaker: need 1 <= min-failures <= window");
      }
      if (!(failureRatio > 0 && failureRatio <= 1)) {
        throw new IllegalArgumentException("ums.dispatch.breaker.failure-ratio must be in (0, 1]");
      }
    }
  }
}
