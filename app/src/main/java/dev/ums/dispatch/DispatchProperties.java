package dev.ums.dispatch;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Dispatch settings ({@code ums.dispatch.*}) and retry settings ({@code ums.retry.*}).
 *
 * @param enabled whether this instance runs a dispatcher at all (intake-only instances: false)
 * @param batchSize rows taken by one claim statement
 * @param workers concurrent SMTP sends
 * @param lease how long a claim is exclusive; a crashed dispatcher's rows come back after it
 * @param pollInterval fallback poll when no wake-up signal arrives
 * @param reapInterval how often expired leases are returned to the queue
 * @param shutdownTimeout how long in-flight sends may finish on shutdown
 * @param instanceId written to {@code outbox.claimed_by}; default host-pid-random
 * @param listenNotify whether to use PostgreSQL LISTEN/NOTIFY to wake other instances
 */
@ConfigurationProperties("ums.dispatch")
public record DispatchProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("100") int batchSize,
    @DefaultValue("8") int workers,
    @DefaultValue("2m") Duration lease,
    @DefaultValue("1s") Duration pollInterval,
    @DefaultValue("10s") Duration reapInterval,
    @DefaultValue("20s") Duration shutdownTimeout,
    String instanceId,
    @DefaultValue("true") boolean listenNotify) {}
