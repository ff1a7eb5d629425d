package dev.ums.failure;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.ledger.MessageStatus;
import dev.ums.message.MessageView;
import dev.ums.message.Tags;
import dev.ums.support.Dialect;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/**
 * Reads of failure management: dead-letter listings, failure histories and statuses. Every write
 * goes through {@link dev.ums.ledger.Ledger}.
 */
@Repository
class FailureRepository {

  private static final String DEAD_LETTER_COLUMNS =
      """
      id, status, attempts, created_at, updated_at, last_error_class, last_error_code,
      resolved_by, resolved_at, resolution, tags
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
    StringBuilder sb = new StringBuilder("status = ?");
    List<Object> args = new ArrayList<>();
    args.add(MessageStatus.FAILED.name());
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
      args.add(f.classification().name());
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
    if (f.tags() != null) {
      for (String tag : f.tags()) {
        sb.append(" AND ").append(dialect.arrayContains("tags"));
        args.add(tag);
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

  /** How many dead letters match {@code w}. */
  long count(Where w) {
    Long n =
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM message WHERE " + w.sql(), Long.class, w.args().toArray());
    return n == null ? 0 : n;
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

  /** The status of a message (of {@code clientId}, unless null). */
  Optional<MessageStatus> status(UUID id, String clientId) {
    String sql =
        "SELECT status FROM message WHERE id = ?" + (clientId == null ? "" : " AND client_id = ?");
    Object[] args = clientId == null ? new Object[] {id} : new Object[] {id, clientId};
    return jdbc.queryForList(sql, String.class, args).stream()
        .findFirst()
        .map(MessageStatus::valueOf);
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
        List.of(),
        Tags.read(rs, "tags"));
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
