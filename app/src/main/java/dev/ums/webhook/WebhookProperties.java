package dev.ums.webhook;

import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Webhook delivery settings ({@code ums.webhooks.*}).
 *
 * @param enabled whether this instance delivers webhooks (events are written and relayed anyway)
 * @param pollInterval how often the relay and the delivery loop look for work
 * @param workers threads that POST to endpoints; one endpoint never holds more than one
 * @param batchSize events relayed, or deliveries sent to one endpoint, per turn
 * @param connectTimeout connect timeout of one delivery
 * @param readTimeout how long one delivery may take in all before it counts as failed
 * @param retrySchedule the wait before each retry of a delivery (after the first attempt); once
 *     spent, the delivery is given up ({@code FAILED} in the delivery log, replayable)
 * @param disableAfter an endpoint that has failed without a single success for this long is
 *     disabled, with an alert
 * @param lease how long an instance holds an endpoint it is delivering to
 * @param maxReplay the most events one replay request may queue
 * @param allowPrivateAddresses allow endpoints on loopback, private and link-local addresses (off:
 *     such URLs are refused at registration and deliveries to them fail, see {@link
 *     WebhookAddresses}); for development and tests only
 */
@ConfigurationProperties("ums.webhooks")
@Validated
public record WebhookProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("200ms") Duration pollInterval,
    @DefaultValue("8") @Positive int workers,
    @DefaultValue("100") @Positive int batchSize,
    @DefaultValue("2s") Duration connectTimeout,
    @DefaultValue("5s") Duration readTimeout,
    @DefaultValue({"5s", "30s", "2m", "10m", "30m", "1h", "2h", "4h", "8h", "8h"}) @NotEmpty
        List<Duration> retrySchedule,
    @DefaultValue("24h") Duration disableAfter,
    @DefaultValue("1m") Duration lease,
    @DefaultValue("10000") @Positive int maxReplay,
    @DefaultValue("false") boolean allowPrivateAddresses) {}
