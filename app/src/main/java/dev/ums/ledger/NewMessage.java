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
 * @param suppressed how many distinct recipient addresses intake found on the client's suppression
 *     list (0: none)
 * @param allSuppressed every recipient is suppressed: the message is stored SUPPRESSED, with no
 *     outbox row, and is never sent
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
    int suppressed,
    boolean allSuppressed) {

  public NewMessage {
    tags = tags == null || tags.length == 0 ? null : tags.clone();
    if (allSuppressed && suppressed < 1) {
      throw new IllegalArgumentException("a suppressed message has suppressed recipients");
    }
  }

  /** A message none of whose recipients is suppressed. */
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
        id, clientId, content, recipientCount, recipientDigests, sendAt, createdAt, tags, 0, false);
  }

  /** The status it is stored in: QUEUED, or SUPPRESSED when every recipient is suppressed. */
  public MessageStatus initialStatus() {
    return allSuppressed ? MessageStatus.SUPPRESSED : MessageStatus.QUEUED;
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
