package dev.ums.template;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The only reader and writer of {@code message_template}; every query is scoped to one client. */
@Repository
class TemplateRepository {

  private static final String COLUMNS =
      "name, version, subject, html, text, created_at, retired_at";

  private final JdbcTemplate jdbc;

  TemplateRepository(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** The number the next version of {@code name} gets: one above the highest, 1 for a new name. */
  int nextVersion(String clientId, String name) {
    Integer max =
        jdbc.queryForObject(
            "SELECT MAX(version) FROM message_template WHERE client_id = ? AND name = ?",
            Integer.class,
            clientId,
            name);
    return max == null ? 1 : max + 1;
  }

  /**
   * Inserts a version; a concurrent insert of the same number fails with a duplicate key (the
   * caller takes the next number).
   */
  void insert(String clientId, TemplateVersion v) {
    jdbc.update(
        "INSERT INTO message_template (client_id, " + COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        clientId,
        v.name(),
        v.version(),
        v.subject(),
        v.html(),
        v.text(),
        ts(v.createdAt()),
        ts(v.retiredAt()));
  }

  Optional<TemplateVersion> find(String clientId, String name, int version) {
    return jdbc
        .query(
            "SELECT "
                + COLUMNS
                + " FROM message_template WHERE client_id = ? AND name = ? AND version = ?",
            (rs, n) -> version(rs),
            clientId,
            name,
            version)
        .stream()
        .findFirst();
  }

  /** The newest version of {@code name} that is not retired. */
  Optional<TemplateVersion> newestInUse(String clientId, String name) {
    return jdbc
        .query(
            "SELECT "
                + COLUMNS
                + " FROM message_template WHERE client_id = ? AND name = ? AND retired_at IS NULL"
                + " ORDER BY version DESC LIMIT 1",
            (rs, n) -> version(rs),
            clientId,
            name)
        .stream()
        .findFirst();
  }

  /** Every version of {@code name}, oldest first, without their content. */
  List<TemplateDetails.VersionInfo> versions(String clientId, String name) {
    return jdbc.query(
        "SELECT version, created_at, retired_at FROM message_template"
            + " WHERE client_id = ? AND name = ? ORDER BY version",
        (rs, n) ->
            new TemplateDetails.VersionInfo(
                rs.getInt("version"), instant(rs, "created_at"), instant(rs, "retired_at")),
        clientId,
        name);
  }

  /** One line per template name of the client, in name order. */
  List<TemplateSummary> list(String clientId) {
    return jdbc.query(
        """
        SELECT name, COUNT(*) AS versions, MAX(created_at) AS updated_at,
               MAX(CASE WHEN retired_at IS NULL THEN version END) AS latest
          FROM message_template WHERE client_id = ?
         GROUP BY name ORDER BY name
        """,
        (rs, n) -> {
          int latest = rs.getInt("latest");
          return new TemplateSummary(
              rs.getString("name"),
              rs.wasNull() ? null : latest,
              rs.getInt("versions"),
              instant(rs, "updated_at"));
        },
        clientId);
  }

  /** Marks a version retired, if it is not already; true if the version exists. */
  boolean retire(String clientId, String name, int version, Instant now) {
    jdbc.update(
        "UPDATE message_template SET retired_at = ?"
            + " WHERE client_id = ? AND name = ? AND version = ? AND retired_at IS NULL",
        ts(now),
        clientId,
        name,
        version);
    return find(clientId, name, version).isPresent();
  }

  private static TemplateVersion version(ResultSet rs) throws SQLException {
    return new TemplateVersion(
        rs.getString("name"),
        rs.getInt("version"),
        rs.getString("subject"),
        rs.getString("html"),
        rs.getString("text"),
        instant(rs, "created_at"),
        instant(rs, "retired_at"));
  }
}
