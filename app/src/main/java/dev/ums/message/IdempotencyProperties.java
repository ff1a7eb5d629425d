package dev.ums.message;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.idempotency.*}: how long idempotency keys are kept.
 *
 * @param ttl how long a key is remembered after the request that took it
 * @param purgeInterval how often expired keys are deleted (an expired key can be taken again even
 *     before that)
 */
@ConfigurationProperties("ums.idempotency")
record IdempotencyProperties(
    @DefaultValue("24h") Duration ttl, @DefaultValue("10m") Duration purgeInterval) {}
