package dev.ums.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A webhook endpoint as the API shows it. {@code secret} is set only in the answer that created it.
 *
 * @param eventTypes the event types it receives; empty: all
 * @param enabled false once it was disabled for failing too long (see {@code disabledReason})
 * @param failingSince when its current run of failures began; null while it delivers
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record WebhookEndpoint(
    UUID id,
    String url,
    List<String> eventTypes,
    boolean enabled,
    Instant createdAt,
    Instant disabledAt,
    String disabledReason,
    Instant failingSince,
    String secret) {

  WebhookEndpoint withSecret(String secret) {
    return new WebhookEndpoint(
        id, url, eventTypes, enabled, createdAt, disabledAt, disabledReason, failingSince, secret);
  }
}
