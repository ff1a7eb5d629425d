package dev.ums.message;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.support.Dialect;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
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
      INSERT INTO message (id, client_id, status, content, recipient_count, recipient_digests,
                           send_at, attempts, created_at, updated_at)
      VALUES (?, ?, 'QUEUED', ?, ?, ?, ?, 0, ?, ?)
      """;
  private static final String INSERT_OUTBOX =
      "INSERT INTO outbox (message_id, next_attempt_at, attempts) VALUES (?, ?, 0)";

  /** What {@link #view} reads, for one message or a look-up. */
  private static final String VIEW =
      """
      SELECT m.client_id, m.id, m.status, m.attempts, m.created_at, m.updated_at, m.send_at,
             m.sent_at, m.last_error_class, m.last_error_code, o.next_attempt_at
        FROM message m LEFT JOIN outbox o ON o.message_id = m.id
      """;

  private static final String FIND = VIEW + " WHERE m.id = ?";

  /**
   * PostgreSQL, one message: message + outbox row in a single statement. Run in autocommit it is
   * its own transaction: one round trip instead of begin, two inserts and commit.
   */
  private static final String INSERT_ONE_POSTGRESQL =
      """
      WITH m AS (
        INSERT INTO message (id, client_id, status, content, recipient_count,
                             recipient_digests, send_at, attempts, created_at, updated_at)
        VALUES (?, ?, 'QUEUED', ?, ?, ?, ?, 0, ?, ?)
        RETURNING id
      )
      INSERT INTO outbox (message_id, next_attempt_at, attempts) SELECT id, ?, 0 FROM m
      """;

  /**
   * PostgreSQL, one message with an idempotency key, in a single statement: the key is taken as in
   * {@link IdempotencyStore} ({@code ON CONFLICT} that only overwrites an expired record), and the
   * message and outbox rows are inserted only if this statement took the key. Returns whether it
   * did.
   */
  private static final String INSERT_ONE_WITH_KEY_POSTGRESQL =
      """
      WITH k AS (
        INSERT INTO idempotency_record
               (client_id, idem_key, fingerprint, response_status, response_body, created_at,
                expires_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (client_id, idem_key) DO UPDATE
           SET fingerprint = EXCLUDED.fingerprint, response_status = EXCLUDED.response_status,
               response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at,
               expires_at = EXCLUDED.expires_at
         WHERE idempotency_record.expires_at <= EXCLUDED.created_at
        RETURNING 1
      ), m AS (
        INSERT INTO message (id, client_id, status, content, recipient_count,
                             recipient_digests, send_at, attempts, created_at, updated_at)
        SELECT ?, ?, 'QUEUED', ?, ?, ?, ?, 0, ?, ? WHERE EXISTS (SELECT 1 FROM k)
        RETURNING id
      ), o AS (
        INSERT INTO outbox (message_id, next_attempt_at, attempts) SELECT id, ?, 0 FROM m
        RETURNING message_id
      )
      SELECT COUNT(*) FROM o
      """;

  private final JdbcTemplate jdbc;
  private final Dialect dialect;

  MessageRepository(JdbcTemplate jdbc, Dialect dialect) {
    this.jdbc = jdbc;
    this.dialect = dialect;
  }

  /** A message about to be stored. */
  record NewMessage(
      UUID id,
      String clientId,
      byte[] content,
      int recipientCount,
      String[] recipientDigests,
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
          ps.setArray(5, ps.getConnection().createArrayOf("varchar", m.recipientDigests()));
          ps.setObject(6, ts(m.sendAt()));
          ps.setObject(7, ts(m.createdAt()));
          ps.setObject(8, ts(m.createdAt()));
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

  /** An idempotency key to take together with a message. */
  record KeyClaim(String key, String fingerprint, int status, String body, Instant expiresAt) {}

  /**
   * PostgreSQL only: stores one message (and takes {@code claim}'s key, if given) in a single
   * autocommitted statement. Returns false, having written nothing, if a live record already holds
   * the key; a concurrent insert of the same key waits for the other transaction to finish first.
   */
  boolean insertOneAtomically(NewMessage m, KeyClaim claim) {
    Object[] message = {
      m.id(),
      m.clientId(),
      m.content(),
      m.recipientCount(),
      m.recipientDigests(),
      ts(m.sendAt()),
      ts(m.createdAt()),
      ts(m.createdAt()),
      ts(m.sendAt() != null ? m.sendAt() : m.createdAt())
    };
    if (claim == null) {
      return jdbc.update(INSERT_ONE_POSTGRESQL, message) == 1;
    }
    Object[] args = new Object[7 + message.length];
    args[0] = m.clientId();
    args[1] = claim.key();
    args[2] = claim.fingerprint();
    args[3] = claim.status();
    args[4] = claim.body();
    args[5] = ts(m.createdAt());
    args[6] = ts(claim.expiresAt());
    System.arraycopy(message, 0, args, 7, message.length);
    Integer queued = jdbc.queryForObject(INSERT_ONE_WITH_KEY_POSTGRESQL, Integer.class, args);
    return queued != null && queued == 1;
  }

  Optional<MessageView> find(String clientId, UUID id) {
    return clientId == null
        ? jdbc.query(FIND, (rs, n) -> view(rs), id).stream().findFirst()
        : jdbc.query(FIND + " AND m.client_id = ?", (rs, n) -> view(rs), id, clientId).stream()
            .findFirst();
  }

  /**
   * Messages (any client) whose blind-index digests include every one of {@code digests}, newest
   * first (UUIDv7 ids sort by creation), ids below {@code before}, at most {@code limit}.
   */
  List<MessageLookup.Found> findByDigests(List<String> digests, UUID before, int limit) {
    StringBuilder sql = new StringBuilder(VIEW).append(" WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    for (String d : digests) {
      sql.append(" AND ").append(dialect.arrayContains("m.recipient_digests"));
      args.add(d);
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
