package dev.ums.support;

import java.util.Locale;

/**
 * The SQL dialects UMS speaks. PostgreSQL is the reference; H2 backs the embedded default. A few
 * statements (upsert-or-nothing, batch claim) differ per dialect; everything else is shared SQL.
 */
public enum Dialect {
  /** PostgreSQL 13 or newer: ON CONFLICT, FOR UPDATE SKIP LOCKED, LISTEN/NOTIFY. */
  POSTGRESQL,
  /** H2 2.x, the single-process embedded default. */
  H2;

  /** Picks the dialect from a JDBC URL without opening a connection. */
  public static Dialect fromJdbcUrl(String url) {
    String u = url == null ? "" : url.toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    if (u.startsWith("jdbc:h2:")) {
      return H2;
    }
    throw new IllegalStateException(
        "Unsupported database URL (PostgreSQL or H2 expected): "
            + (url == null ? "none" : url.replaceAll("\\?.*", "")));
  }

  /** A condition that array column {@code column} holds the value of one {@code ?} parameter. */
  public String arrayContains(String column) {
    // PostgreSQL: @> is what a GIN index on the column serves (= ANY would scan).
    return this == POSTGRESQL
        ? column + " @> ARRAY[CAST(? AS TEXT)]"
        : "ARRAY_CONTAINS(" + column + ", ?)";
  }
}
