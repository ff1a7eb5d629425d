package dev.ums.ledger;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * One delivery event as stored: ids, status and codes, never an address, subject or body.
 *
 * @param seq the event's position (later events of one message always have a larger one)
 * @param id the event id (the {@code webhook-id} of its deliveries)
 * @param status the message's status once the change was made
 * @param attempt the attempt it concerns, if any
 * @param replyCode the SMTP reply code, if any
 * @param failureClass how a failed attempt was classified, if any
 * @param nextAttemptAt when a deferred message is tried again
 * @param suppressed how many recipients were left out because they are suppressed
 * @param mode the message's mode: events of test-mode messages say so
 * @param bounceType a bounce's kind, {@code hard} or {@code soft} ({@code message.bounced} only)
 * @param statusCode the enhanced status code a bounce reported ({@code 5.1.1}), if any
 * @param feedbackType a complaint's feedback type ({@code abuse}), if the report gave one
 * @param tags the message's tags, in name order (empty when it has none)
 * @param metadata the client's metadata of the message as its stored JSON object of strings; null
 *     when it has none
 */
public record MessageEvent(
    long seq,
    UUID id,
    UUID messageId,
    String clientId,
    EventType type,
    MessageStatus status,
    Integer attempt,
    Integer replyCode,
    FailureClass failureClass,
    Instant nextAttemptAt,
    Integer suppressed,
    Instant occurredAt,
    DeliveryMode mode,
    String bounceType,
    String statusCode,
    String feedbackType,
    Map<String, String> tags,
    String metadata) {

  public MessageEvent {
    tags = tags == null ? Map.of() : tags;
  }
}
