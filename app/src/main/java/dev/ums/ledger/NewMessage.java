package dev.ums.ledger;

import java.time.Instant;
import java.util.UUID;

/**
 * A message about to be enqueued.
 *
 * @param content the sealed content document
 * @param recipientDigests blind-index digests of its recipients and their domains
 * @param sendAt when it is due; null: at once
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
    Priority priority,
    String deliveryRule) {

  /** The rule of messages no configured rule covers. */
  public static final String DEFAULT_RULE = "default";

  public NewMessage {
    if (priority == null) {
      priority = Priority.NORMAL;
    }
    if (deliveryRule == null) {
      deliveryRule = DEFAULT_RULE;
    }
  }

  /** A {@link Priority#NORMAL} message under the default rule. */
  public NewMessage(
      UUID id,
      String clientId,
      byte[] content,
      int recipientCount,
      String[] recipientDigests,
      Instant sendAt,
      Instant createdAt) {
    this(id, clientId, content, recipientCount, recipientDigests, sendAt, createdAt, null, null);
  }
}
