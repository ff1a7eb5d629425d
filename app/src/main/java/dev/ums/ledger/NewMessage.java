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
 */
public record NewMessage(
    UUID id,
    String clientId,
    byte[] content,
    int recipientCount,
    String[] recipientDigests,
    Instant sendAt,
    Instant createdAt,
    String[] tags) {

  public NewMessage {
    tags = tags == null || tags.length == 0 ? null : tags.clone();
  }

  /** A message without tags. */
  public NewMessage(
      UUID id,
      String clientId,
      byte[] content,
      int recipientCount,
      String[] recipientDigests,
      Instant sendAt,
      Instant createdAt) {
    this(id, clientId, content, recipientCount, recipientDigests, sendAt, createdAt, null);
  }
}
