package dev.ums.webhook;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;
import dev.ums.ledger.MessageEvent;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * The JSON body of a delivery (Standard Webhooks shape: {@code type}, {@code timestamp}, {@code
 * data}). Ids, status, SMTP code and class, and the client's own tags and metadata (both its
 * labels, never personal data by contract): never an address, subject or body. {@code mode} is
 * {@code test} for messages sent with a test-mode key, which never reached a relay. The metadata is
 * written as stored (a JSON object of strings the intake serialized), without parsing it again. A
 * {@code message.bounced} event says {@code bounceType} ({@code hard} or {@code soft}) and the
 * {@code statusCode} the report gave ({@code 5.1.1}); a {@code message.complained} event its {@code
 * feedbackType} ({@code abuse}).
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record WebhookPayload(String type, Instant timestamp, Data data) {

  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Data(
      UUID eventId,
      UUID messageId,
      String status,
      String mode,
      Integer attempt,
      Integer smtpCode,
      String failureClass,
      Instant nextAttemptAt,
      Integer suppressed,
      String bounceType,
      String statusCode,
      String feedbackType,
      @JsonInclude(JsonInclude.Include.NON_EMPTY) Map<String, String> tags,
      @JsonRawValue String metadata) {}

  static WebhookPayload of(MessageEvent e) {
    return new WebhookPayload(
        e.type().wireName(),
        e.occurredAt(),
        new Data(
            e.id(),
            e.messageId(),
            e.status().name(),
            e.mode().wireName(),
            e.attempt(),
            e.replyCode(),
            e.failureClass() == null ? null : e.failureClass().name(),
            e.nextAttemptAt(),
            e.suppressed(),
            e.bounceType(),
            e.statusCode(),
            e.feedbackType(),
            e.tags(),
            e.metadata()));
  }
}
