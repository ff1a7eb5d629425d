package dev.ums.ledger;

import java.time.Instant;
import java.util.UUID;

/**
 * A message about to be enqueued.
 *
 * @param content the sealed content document
 * @param recipientDigests blind-index digests of its recipients and their domains
 * @param sendAt when it is due; null: at once
 * @param tags its {@code name:value} tags, stored in the clear (never personal data); null or empty
 *     when it has none
 * @param mode the sending key's mode: {@link DeliveryMode#TEST} messages never reach the relay
 */
public record NewMessage(
    UUID id,
    String clientId,
    byte[] content,
    int recipientCount,
    String[] recipientDigests,
    Instant sendAt,
    Instant createdAt,
    String[] tags,
    DeliveryMode mode) {

  public NewMessage {
    tags = tags == null || tags.length == 0 ? null : tags.clone();
    java.util.Objects.requireNonNull(mode, "mode");
  }

  /** A live message. */
  public NewMessage(
      UUID id,
      String clientId,
      byte[] content,
      int recipientCount,
      String[] recipientDigests,
      Instant sendAt,
      Instant createdAt,
      String[] tags) {
    this(
        id,
        clientId,
        content,
        recipientCount,
        recipientDigests,
        sendAt,
        createdAt,
        tags,
        DeliveryMode.LIVE);
  }

  /** A live message without tags. */
  public NewMessage(
      UUID id,
      String clientId,
      byte[] content,
      int recipientCount,
      String[] recipientDigests,
      Instant sendAt,
      Instant createdAt) {
    this(
        id,
        clientId,
        content,
        recipientCount,
        recipientDigests,
        sendAt,
        createdAt,
        null,
        DeliveryMode.LIVE);
  }
}
