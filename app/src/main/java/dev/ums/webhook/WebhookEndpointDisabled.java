package dev.ums.webhook;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

/**
 * Published (as a Spring application event, on the delivering thread) when an endpoint has failed
 * without a success for {@code ums.webhooks.disable-after} and was disabled; the admin alerts
 * listen for it. Ids only.
 *
 * @param failingSince when its run of failures began
 * @param disableAfter the setting that disabled it
 */
public record WebhookEndpointDisabled(
    UUID endpointId,
    String clientId,
    Instant failingSince,
    Instant disabledAt,
    Duration disableAfter) {}
