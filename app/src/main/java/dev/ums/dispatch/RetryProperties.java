package dev.ums.dispatch;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.retry.*}: exponential backoff with jitter above a floor.
 *
 * @param base delay ceiling after the first failure
 * @param factor growth of the ceiling per attempt
 * @param cap largest delay ceiling
 * @param maxAttempts attempts in all, the first included
 * @param maxAge after this age a failing message is dead-lettered
 * @param jitterFloor the smallest delay as a share of the ceiling (0 = full jitter, 1 = none)
 */
@ConfigurationProperties("ums.retry")
public record RetryProperties(
    @DefaultValue("30s") Duration base,
    @DefaultValue("2") double factor,
    @DefaultValue("1h") Duration cap,
    @DefaultValue("10") int maxAttempts,
    @DefaultValue("4d") Duration maxAge,
    @DefaultValue("0.5") double jitterFloor) {

  RetryPolicy policy() {
    return RetryPolicy.exponential(base, cap)
        .withFactor(factor)
        .withMaxAttempts(maxAttempts)
        .withMaxAge(maxAge)
        .withJitter(
            () -> java.util.concurrent.ThreadLocalRandom.current().nextDouble(), jitterFloor);
  }
}
