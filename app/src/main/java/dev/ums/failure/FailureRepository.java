package dev.ums.failure;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.message.MessageStatus;
import dev.ums.message.MessageView;
import dev.ums.support.Dialect;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * SQL of failure management. Every state change here is one conditional statement whose row count
 * says whether it happened; the callers own the (short) transactions.
 */
@Repository
class FailureRepository {

  private static final String DEAD_LETTER_COLUMNS =
      """
      id, status, attempts, created_at, updated_at, last_error_class, last_error_code,
      resolved_by, resolved_at, resolution
      """;

  private final JdbcTemplate jdbc;
  private final Dialect dialect;

  FailureRepository(JdbcTemplate jdbc, Dialect dialect) {
    this.jdbc = jdbc;
    this.dialect = dialect;
  }

  /** A WHERE clause on {@code message} and its arguments. */
  record Where(String sql, List<Object> args) {}

  /** The SQL of a filter; recipient digests go through the blind index. */
  Where where(DeadLetterFilter f) {
    StringBuilder sb = new StringBuilder("status = 'FAILED'");
    List<Object> args = new ArrayList<>();
    if (f.from() != null) {
      sb.append(" AND updated_at >= ?");
      args.add(ts(f.from()));
    }
    if (f.to() != null) {
      sb.append(" AND updated_at < ?");
      args.add(ts(f.to()));
    }
    if (f.classification() != null) {
      sb.append(" AND last_error_class = ?");
      args.add(f.classification());
    }
    if (!f.includeResolved()) {
      sb.append(" AND resolved_at IS NULL");
    }
    if (f.recipientDigests() != null) {
      for (String digest : f.recipientDigests()) {
        sb.append(" AND ").append(dialect.arrayContains("recipient_digests"));
        args.add(digest);
      }
    }
    if (f.ids() != null) {
      sb.append(" AND id IN (").append(placeholders(f.ids().size())).append(')');
      args.addAll(f.ids());
    }
    return new Where(sb.toString(), args);
  }

  /** Dead letters after {@code after} in listing order (newest first), at most {@code limit}. */
  List<DeadLetter> scanNewestFirst(Where w, Cursor after, int limit) {
    return after == null
        ? scan(w, "", List.of(), "updated_at DESC, id DESC", limit)
        : scan(
            w,
            " AND (updated_at < ? OR (updated_at = ? AND id < ?))",
            List.of(ts(after.updatedAt()), ts(after.updatedAt()), after.id()),
            "updated_at DESC, id DESC",
            limit);
  }

  /** Matching dead letters with an id above {@code after}, in id order. */
  List<DeadLetter> scanById(Where w, UUID after, int limit) {
    return after == null
        ? scan(w, "", List.of(), "id", limit)
        : scan(w, " AND id > ?", List.of(after), "id", limit);
  }

  /** One page of dead letters: {@code w}, then a keyset condition, in {@code order}. */
  private List<DeadLetter> scan(
      Where w, String keyset, List<Object> keysetArgs, String order, int limit) {
    String sql =
        "SELECT "
            + DEAD_LETTER_COLUMNS
            + " FROM message WHERE "
            + w.sql()
            + keyset
            + " ORDER BY "
            + order
            + " LIMIT ?";
    List<Object> args = new ArrayList<>(w.args());
    args.addAll(keysetArgs);
    args.add(limit);
    return jdbc.query(sql, (rs, n) -> deadLetter(rs), args.toArray());
  }

  /** The failure history of each message, oldest first. */
  Map<UUID, List<DeadLetter.Failure>> failures(List<UUID> ids) {
    Map<UUID, List<DeadLetter.Failure>> byMessage = new LinkedHashMap<>();
    if (ids.isEmpty()) {
      return byMessage;
    }
    jdbc.query(
        "SELECT message_id, attempt, classification, reply_code, error_text, occurred_at,"
            + " resolved_by, resolved_at FROM send_failure WHERE message_id IN ("
            + placeholders(ids.size())
            + ") ORDER BY occurred_at, id",
        rs -> {
          byMessage
              .computeIfAbsent(rs.getObject("message_id", UUID.class), k -> new ArrayList<>())
              .add(
                  new DeadLetter.Failure(
                      rs.getInt("attempt"),
                      rs.getString("classification"),
                      nullableInt(rs, "reply_code"),
                      rs.getString("error_text"),
                      instant(rs, "occurred_at"),
                      rs.getString("resolved_by"),
                      instant(rs, "resolved_at")));
        },
        ids.toArray());
    return byMessage;
  }

  Optional<DeadLetter> deadLetter(UUID id) {
    return jdbc
        .query(
            "SELECT " + DEAD_LETTER_COLUMNS + " FROM message WHERE id = ?",
            (rs, n) -> deadLetter(rs),
            id)
        .stream()
        .findFirst()
        .map(d -> d.withFailures(failures(List.of(id)).getOrDefault(id, List.of())));
  }

  /**
   * FAILED → QUEUED for those of {@code ids} that are FAILED now (and unresolved, unless {@code
   * includeResolved}), each with a fresh outbox row: due at {@code now}, attempt budget 0. Two
   * set-based statements in the caller's transaction; returns how many moved. The UPDATE takes the
   * row locks first, so a concurrent re-drive of the same ids waits, then finds them QUEUED and
   * moves none of them: no message gets two outbox rows.
   */
  int redrive(List<UUID> ids, boolean includeResolved, Instant now) {
    if (ids.isEmpty()) {
      return 0;
    }
    String in = placeholders(ids.size());
    List<Object> args = new ArrayList<>();
    args.add(ts(now));
    args.addAll(ids);
    int moved =
        jdbc.update(
            "UPDATE message SET status = 'QUEUED', attempts = 0, updated_at = ?,"
                + " resolved_by = NULL, resolved_at = NULL, resolution = NULL"
                + " WHERE status = 'FAILED' AND id IN ("
                + in
                + ")"
                + (includeResolved ? "" : " AND resolved_at IS NULL"),
            args.toArray());
    if (moved == 0) {
      return 0;
    }
    // A QUEUED message always has an outbox row, so the ones without one are exactly those moved.
    int queued =
        jdbc.update(
            "INSERT INTO outbox (message_id, next_attempt_at, attempts)"
                + " SELECT id, ?, 0 FROM message WHERE status = 'QUEUED' AND id IN ("
                + in
                + ") AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = message.id)",
            args.toArray());
    if (queued != moved) {
      throw new IllegalStateException(
          "re-drive moved " + moved + " messages but queued " + queued + "; rolled back");
    }
    return moved;
  }

  /**
   * Marks an unresolved FAILED message and its unresolved failures resolved. Returns false (and
   * changes nothing) if it is not an unresolved FAILED message.
   */
  boolean resolve(UUID id, String by, String reason, Instant now) {
    int n =
        jdbc.update(
            "UPDATE message SET resolved_by = ?, resolved_at = ?, resolution = ?"
                + " WHERE id = ? AND status = 'FAILED' AND resolved_at IS NULL",
            by,
            ts(now),
            reason,
            id);
    if (n == 0) {
      return false;
    }
    jdbc.update(
        "UPDATE send_failure SET resolved_by = ?, resolved_at = ?"
            + " WHERE message_id = ? AND resolved_at IS NULL",
        by,
        ts(now),
        id);
    return true;
  }

  /**
   * Removes the outbox row of a QUEUED message that no dispatcher holds; false if there is none
   * (claimed, final, or unknown). Runs before the status change so that the outbox row lock is
   * taken first, in the same order as the claim statement: a claim skips the locked row.
   */
  boolean dequeueUnclaimed(UUID id, String clientId) {
    return jdbc.update(
            "DELETE FROM outbox WHERE message_id = ? AND claim_token IS NULL"
                + " AND message_id IN (SELECT id FROM message WHERE id = ? AND status = 'QUEUED'"
                + (clientId == null ? "" : " AND client_id = ?")
                + ")",
            clientId == null ? new Object[] {id, id} : new Object[] {id, id, clientId})
        == 1;
  }

  boolean markCancelled(UUID id, Instant now) {
    return jdbc.update(
            "UPDATE message SET status = 'CANCELLED', updated_at = ? WHERE id = ? AND status = 'QUEUED'",
            ts(now),
            id)
        == 1;
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

  /** Messages per status, every status present. */
  Map<MessageStatus, Long> countByStatus() {
    Map<MessageStatus, Long> counts = new EnumMap<>(MessageStatus.class);
    for (MessageStatus s : MessageStatus.values()) {
      counts.put(s, 0L);
    }
    jdbc.query(
        "SELECT status, COUNT(*) AS n FROM message GROUP BY status",
        rs -> {
          counts.put(MessageStatus.valueOf(rs.getString("status")), rs.getLong("n"));
        });
    return Collections.unmodifiableMap(counts);
  }

  long count(String sql, Object... args) {
    Long n = jdbc.queryForObject(sql, Long.class, args);
    return n == null ? 0 : n;
  }

  /** The oldest {@code next_attempt_at} among due, unclaimed outbox rows; null if none. */
  Instant oldestDue(Instant now) {
    return jdbc.query(
        "SELECT MIN(next_attempt_at) AS t FROM outbox WHERE claim_token IS NULL AND next_attempt_at <= ?",
        rs -> rs.next() ? instant(rs, "t") : null,
        ts(now));
  }

  /**
   * Replaces the content of up to {@code limit} SENT messages sent before {@code cutoff} with
   * {@code marker}, and forgets their refused recipients; metadata columns stay.
   */
  int dropContent(Instant cutoff, byte[] marker, Instant now, int limit) {
    return jdbc.update(
        """
        UPDATE message SET content = ?, refused_recipients = NULL, recipient_digests = NULL,
                   content_dropped_at = ?
         WHERE id IN (SELECT id FROM message
                       WHERE status = 'SENT' AND sent_at < ? AND content_dropped_at IS NULL
                       ORDER BY sent_at LIMIT ?)
        """,
        marker,
        ts(now),
        ts(cutoff),
        limit);
  }

  private static DeadLetter deadLetter(ResultSet rs) throws SQLException {
    Instant resolvedAt = instant(rs, "resolved_at");
    return new DeadLetter(
        rs.getObject("id", UUID.class),
        MessageStatus.valueOf(rs.getString("status")),
        rs.getInt("attempts"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"),
        lastError(rs),
        resolvedAt == null
            ? null
            : new DeadLetter.Resolution(
                rs.getString("resolved_by"), rs.getString("resolution"), resolvedAt),
        List.of());
  }

  private static MessageView.LastError lastError(ResultSet rs) throws SQLException {
    String errorClass = rs.getString("last_error_class");
    return errorClass == null
        ? null
        : new MessageView.LastError(errorClass, nullableInt(rs, "last_error_code"));
  }

  private static Integer nullableInt(ResultSet rs, String column) throws SQLException {
    int v = rs.getInt(column);
    return rs.wasNull() ? null : v;
  }

  private static String placeholders(int n) {
    return String.join(",", Collections.nCopies(n, "?"));
  }
}
