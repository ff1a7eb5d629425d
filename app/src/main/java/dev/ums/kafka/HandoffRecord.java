package dev.ums.kafka;

import dev.ums.ledger.Ledger.Handoff;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * The hand-off record: key = the message id (as text), value = a version byte, the message id and
 * the claim token (33 bytes). It carries no content: the sender reads the sealed content from the
 * outbox, in the same statement that checks the claim is still current.
 */
final class HandoffRecord {

  static final byte VERSION = 1;
  static final int SIZE = 1 + 16 + 16;

  private HandoffRecord() {}

  static byte[] key(UUID messageId) {
    return messageId.toString().getBytes(StandardCharsets.US_ASCII);
  }

  static byte[] value(Handoff h) {
    return ByteBuffer.allocate(SIZE)
        .put(VERSION)
        .putLong(h.messageId().getMostSignificantBits())
        .putLong(h.messageId().getLeastSignificantBits())
        .putLong(h.claimToken().getMostSignificantBits())
        .putLong(h.claimToken().getLeastSignificantBits())
        .array();
  }

  /** The hand-off in {@code value}, or null when it is not one this version wrote. */
  static Handoff parse(byte[] value) {
    if (value == null || value.length != SIZE || value[0] != VERSION) {
      return null;
    }
    ByteBuffer b = ByteBuffer.wrap(value, 1, SIZE - 1);
    UUID id = new UUID(b.getLong(), b.getLong());
    UUID token = new UUID(b.getLong(), b.getLong());
    return new Handoff(id, token);
  }
}
