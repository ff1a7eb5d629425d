package dev.ums.message;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** SQL for the ledger and the outbox on the intake side. */
@Repository
class MessageRepository {

  private static final String INSERT_MESSAGE =
      """
      INSERT INTO message (id, client_id, status, content, recipient_count, send_at, attempts,
                           created_at, updated_at)
      VALUES (?, ?, 'QUEUED', ?, ?, ?, 0, ?, ?)
      """;
  private static final String INSERT_OUTBOX =
      "INSERT INTO outbox (message_id, next_attempt_at, attempts) VALUES (?, ?, 0)";
  private static final String FIND =
      """
      SELECT m.id, m.status, m.attempts, m.created_at, m.updated_at, m.send_at, m.sent_at,
             m.last_error_class, m.last_error_code, o.next_attempt_at
        FROM message m LEFT JOIN outbox o ON o.message_id = m.id
       WHERE m.id = ? AND m.client_id = ?
      """;

  private final JdbcTemplate jdbc;

  MessageRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** A message about to be stored. */
  record NewMessage(
      UUID id,
      String clientId,
      byte[] content,
      int recipientCount,
      Instant sendAt,
      Instant createdAt) {}

  /** Inserts the messages and their outbox rows with JDBC batching; the caller owns the tx. */
  void insert(List<NewMessage> messages) {
    jdbc.batchUpdate(
        INSERT_MESSAGE,
        messages,
        messages.size(),
        (ps, m) -> {
          ps.setObject(1, m.id());
          ps.setString(2, m.clientId());
          ps.setBytes(3, m.content());
          ps.setInt(4, m.recipientCount());
          ps.setObject(5, ts(m.sendAt()));
          ps.setObject(6, ts(m.createdAt()));
          ps.setObject(7, ts(m.createdAt()));
        });
    jdbc.batchUpdate(
        INSERT_OUTBOX,
        messages,
        messages.size(),
        (ps, m) -> {
          ps.setObject(1, m.id());
          ps.setObject(2, ts(m.sendAt() != null ? m.sendAt() : m.createdAt()));
        });
  }

  Optional<MessageView> find(String clientId, UUID id) {
    return jdbc.query(FIND, (rs, n) -> view(rs), id, clientId).stream().findFirst();
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
        errorClass == null ? null : new MessageView.LastError(errorClass, errorCode));
  }
}
