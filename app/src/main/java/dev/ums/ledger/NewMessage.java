package dev.ums.ledger;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A message about to be enqueued.
 *
 * @param content the sealed content document
 * @param recipientDigests blind-index digests of its recipients and their domains
 * @param sendAt when it is due; null: at once
 * @param tags its {@code name:value} tags, stored in the clear (never personal data); null or empty
 *     when it has none
 * @param priority which due mail is claimed first; null: {@link Priority#NORMAL}
 * @param deliveryRule the name of the delivery rule its recipients matched at intake (never the
 *     domain itself); null: {@link #DEFAULT_RULE}
 * @param mode the sending key's mode: {@link DeliveryMode#TEST} messages never reach the relay
 * @param suppressed how many distinct recipient addresses intake found on the client's suppression
 *     list (0: none)
 * @param allSuppressed every recipient is suppressed: the message is stored SUPPRESSED, with no
 *     outbox row, and is never sent
 * @param metadata the client's metadata as a JSON object of strings, stored in the clear and
 *     carried in every event of the message (never personal data, by contract); null when it has
 *     none
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
    String deliveryRule,
    DeliveryMode mode,
    int suppressed,
    boolean allSuppressed,
    String metadata) {

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
    Objects.requireNonNull(mode, "mode");
    if (allSuppressed && suppressed < 1) {
      throw new IllegalArgumentException("a suppressed message has suppressed recipients");
    }
  }

  /** A message without metadata. */
  public NewMessage(
      UUID id,
      String clientId,
      byte[] content,
      int recipientCount,
      String[] recipientDigests,
      Instant sendAt,
      Instant createdAt,
      String[] tags,
      Priority priority,
      String deliveryRule,
      DeliveryMode mode,
      int suppressed,
      boolean allSuppressed) {
    this(
        id,
        clientId,
        content,
        recipientCount,
        recipientDigests,
        sendAt,
        createdAt,
        tags,
        priority,
        deliveryRule,
        mode,
        suppressed,
        allSuppressed,
        null);
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
      String[] tags,
      Priority priority,
      String deliveryRule,
      DeliveryMode mode) {
    this(
        id,
        clientId,
        content,
        recipientCount,
        recipientDigests,
        sendAt,
        createdAt,
        tags,
        priority,
        deliveryRule,
        mode,
        0,
        false);
  }

  /** A live message none of whose recipients is suppressed. */
  public NewMessage(
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
    this(
        id,
        clientId,
        content,
        recipientCount,
        recipientDigests,
        sendAt,
        createdAt,
        tags,
        priority,
        deliveryRule,
        DeliveryMode.LIVE);
  }

  /** A live {@link Priority#NORMAL} message with {@code tags} under the default rule. */
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
        null,
        null,
        DeliveryMode.LIVE);
  }

  /** A live {@link Priority#NORMAL} message without tags under the default rule. */
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

  /** The status it is stored in: QUEUED, or SUPPRESSED when every recipient is suppressed. */
  public MessageStatus initialStatus() {
    return allSuppressed ? MessageStatus.SUPPRESSED : MessageStatus.QUEUED;
  }
}
