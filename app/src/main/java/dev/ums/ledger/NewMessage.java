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
 * @param priority which due mail is claimed first
 * @param deliveryRule the name of the delivery rule its recipients matched at intake (never the
 *     domain itself)
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
    Priority priority,
    String deliveryRule) {

  /** The rule of messages no configured rule covers. */
  public static final String DEFAULT_RULE = "default";

  public NewMessage {
    tags = tags == null || tags.length == 0 ? null : tags.clone();
    if (priority == null) {
      priority = Priority.NORMAL;
    }
    if (deliveryRule == null) {
      deliveryRule = DEFAULT_RULE;
    }
  }

  /** A {@link Priority#NORMAL} message without tags under the default rule. */
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
        null,
        null);
  }
}
