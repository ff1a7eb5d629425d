package dev.ums.message;

import static dev.ums.support.JdbcTime.instant;

import dev.ums.ledger.DeliveryMode;
import dev.ums.ledger.MessageStatus;
import dev.ums.support.Dialect;
import dev.ums.support.JdbcTime;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** Reads of messages for the intake API and the admin look-up; writes go through the ledger. */
@Repository
class MessageRepository {

  /** What {@link #view} reads, for one message or a look-up. */
  private static final String VIEW =
      """
      SELECT m.client_id, m.id, m.status, m.attempts, m.created_at, m.updated_at, m.send_at,
             m.sent_at, m.last_error_class, m.last_error_code, o.next_attempt_at, m.tags,
             m.test_mode
        FROM message m LEFT JOIN outbox o ON o.message_id = m.id
      """;

  private static final String FIND = VIEW + " WHERE m.id = ?";

  private final JdbcTemplate jdbc;
  private final Dialect dialect;

  MessageRepository(JdbcTemplate jdbc, Dialect dialect) {
    this.jdbc = jdbc;
    this.dialect = dialect;
  }

  Optional<MessageView> find(String clientId, UUID id) {
    return clientId == null
        ? jdbc.query(FIND, (rs, n) -> view(rs), id).stream().findFirst()
        : jdbc.query(FIND + " AND m.client_id = ?", (rs, n) -> view(rs), id, clientId).stream()
            .findFirst();
  }

  /** The status of a message (of {@code clientId}, unless null). */
  Optional<MessageStatus> status(UUID id, String clientId) {
    String sql =
        "SELECT status FROM message WHERE id = ?" + (clientId == null ? "" : " AND client_id = ?");
    Object[] args = clientId == null ? new Object[] {id} : new Object[] {id, clientId};
    return jdbc.queryForList(sql, String.class, args).stream()
        .findFirst()
        .map(MessageStatus::valueOf);
  }

  /**
   * Messages (any client) whose blind-index digests include every one of {@code digests} and whose
   * tags include every one of {@code tags}, newest first (UUIDv7 ids sort by creation), ids below
   * {@code before}, at most {@code limit}.
   */
  List<MessageLookup.Found> findByDigests(
      List<String> digests, List<String> tags, UUID before, int limit) {
    StringBuilder sql = new StringBuilder(VIEW).append(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    for (String d : digests) {
      sql.append(" AND ").append(dialect.arrayContains("m.recipient_digests"));
      args.add(d);
    }
    for (String t : tags) {
      sql.append(" AND ").append(dialect.arrayContains("m.tags"));
      args.add(t);
    }
    if (before != null) {
      sql.append(" AND m.id < ?");
      args.add(before);
    }
    sql.append(" ORDER BY m.id DESC LIMIT ?");
    args.add(limit);
    return jdbc.query(
        sql.toString(),
        (rs, n) -> new MessageLookup.Found(rs.getString("client_id"), view(rs)),
        args.toArray());
  }

  /** Messages (any client) matching {@code c}, newest first, ids below {@code before}. */
  List<MessageLookup.Found> findBy(MessageLookup.Criteria c, UUID before, int limit) {
    StringBuilder sql = new StringBuilder(VIEW).append(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (c.id() != null) {
      sql.append(" AND m.id = ?");
      args.add(c.id());
    }
    if (c.digests() != null) {
      for (String d : c.digests()) {
        sql.append(" AND ").append(dialect.arrayContains("m.recipient_digests"));
        args.add(d);
      }
    }
    if (c.status() != null) {
      sql.append(" AND m.status = ?");
      args.add(c.status().name());
    }
    if (c.clientId() != null) {
      sql.append(" AND m.client_id = ?");
      args.add(c.clientId());
    }
    if (c.from() != null) {
      sql.append(" AND m.created_at >= ?");
      args.add(JdbcTime.ts(c.from()));
    }
    if (c.to() != null) {
      sql.append(" AND m.created_at < ?");
      args.add(JdbcTime.ts(c.to()));
    }
    if (before != null) {
      sql.append(" AND m.id < ?");
      args.add(before);
    }
    sql.append(" ORDER BY m.id DESC LIMIT ?");
    args.add(limit);
    return jdbc.query(
        sql.toString(),
        (rs, n) -> new MessageLookup.Found(rs.getString("client_id"), view(rs)),
        args.toArray());
  }

  /** A message's sealed content and when retention dropped it (null if it did not). */
  record Sealed(byte[] content, Instant droppedAt) {}

  Optional<Sealed> sealedContent(UUID id) {
    return jdbc
        .query(
            "SELECT content, content_dropped_at FROM message WHERE id = ?",
            (rs, n) -> new Sealed(rs.getBytes("content"), instant(rs, "content_dropped_at")),
            id)
        .stream()
        .findFirst();
  }

  /**
   * The sealed content of {@code clientId}'s test-mode message {@code id}, once it is {@code SENT}
   * (captured instead of relayed); empty for any other message.
   */
  Optional<Sealed> captured(UUID id, String clientId) {
    return jdbc
        .query(
            """
            SELECT content, content_dropped_at FROM message
             WHERE id = ? AND client_id = ? AND test_mode AND status = ?
            """,
            (rs, n) -> new Sealed(rs.getBytes("content"), instant(rs, "content_dropped_at")),
            id,
            clientId,
            MessageStatus.SENT.name())
        .stream()
        .findFirst();
  }

  private static MessageView view(ResultSet rs) throws SQLException {
    String errorClass = rs.getString("last_error_class");
    int code = rs.getInt("last_error_code");
    Integer errorCode = rs.wasNull() ? null : code;
    return new MessageView(
        rs.getObject("id", UUID.class),
        MessageStatus.valueOf(rs.getString("status")),
        rs.getInt("attempts"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"),
        instant(rs, "send_at"),
        instant(rs, "sent_at"),
        instant(rs, "next_attempt_at"),
        errorClass == null ? null : new MessageView.LastError(errorClass, errorCode),
        Tags.read(rs, "tags"),
        rs.getBoolean("test_mode") ? DeliveryMode.TEST : DeliveryMode.LIVE);
  }
}
