package dev.ums.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.ums.ledger.FailureClass;
import dev.ums.ledger.MessageEvent;
import dev.ums.ledger.MessageStatus;
import dev.ums.webhook.WebhookDelivery;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * One line of a message's timeline ({@code GET /api/messages/{id}/events}): a delivery event as the
 * ledger wrote it, with the webhook deliveries made of it. Ids, statuses and codes only: never an
 * address, subject or body.
 *
 * @param type the event's wire name ({@code message.sent})
 * @param suppressed how many recipients were left out for being suppressed, if any
 * @param bounceType {@code hard} or {@code soft}, for a {@code message.bounced} event
 * @param statusCode the enhanced status code a bounce reported ({@code 5.1.1}), if any
 * @param feedbackType a complaint's feedback type ({@code abuse}), if the report gave one
 * @param webhookDeliveries the deliveries of this event to the client's webhook endpoints, oldest
 *     first
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TimelineEvent(
    long seq,
    UUID id,
    String type,
    MessageStatus status,
    Integer attempt,
    Integer replyCode,
    FailureClass failureClass,
    Instant nextAttemptAt,
    Integer suppressed,
    String bounceType,
    String statusCode,
    String feedbackType,
    Instant occurredAt,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<WebhookDelivery> webhookDeliveries) {

  static TimelineEvent of(MessageEvent e, List<WebhookDelivery> deliveries) {
    return new TimelineEvent(
        e.seq(),
        e.id(),
        e.type() == null ? null : e.type().wireName(),
        e.status(),
        e.attempt(),
        e.replyCode(),
        e.failureClass(),
        e.nextAttemptAt(),
        e.suppressed(),
        e.bounceType(),
        e.statusCode(),
        e.feedbackType(),
        e.occurredAt(),
        deliveries);
  }
}
