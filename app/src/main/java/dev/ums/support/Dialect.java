package dev.ums.support;

import java.util.Locale;

/**
 * The one seam between the databases UMS speaks: PostgreSQL (the reference) and H2 (the embedded
 * development setup). Every difference is here, as a statement or a capability, one implementation
 * per database; no other class asks which database it is on.
 */
public enum Dialect {
  /** PostgreSQL 13 or newer: ON CONFLICT, FOR UPDATE SKIP LOCKED, data-modifying CTEs, NOTIFY. */
  POSTGRESQL {
    @Override
    public boolean writesInOneStatement() {
      return true;
    }

    @Override
    public boolean listenNotify() {
      return true;
    }

    @Override
    public boolean sharedRateBuckets() {
      return true;
    }

    @Override
    public boolean embedded() {
      return false;
    }

    @Override
    public String arrayContains(String column) {
      // @> is what a GIN index on the column serves (= ANY would scan).
      return column + " @> ARRAY[CAST(? AS TEXT)]";
    }

    @Override
    public String tryFleetLock() {
      return "SELECT pg_try_advisory_xact_lock(hashtext(?))";
    }

    @Override
    public String takeIdempotencyKey() {
      return """
          INSERT INTO idempotency_record
                 (client_id, idem_key, fingerprint, response_status, response_body, created_at,
                  expires_at)
          VALUES (?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (client_id, idem_key) DO UPDATE
             SET fingerprint = EXCLUDED.fingerprint, response_status = EXCLUDED.response_status,
                 response_body = EXCLUDED.response_body, created_at = EXCLUDED.created_at,
                 expires_at = EXCLUDED.expires_at
           WHERE idempotency_record.expires_at <= EXCLUDED.created_at
          """;
    }
  },

  /** H2 2.x, the single-process embedded database of development mode. */
  H2 {
    @Override
    public boolean writesInOneStatement() {
      return false;
    }

    @Override
    public boolean listenNotify() {
      return false;
    }

    @Override
    public boolean sharedRateBuckets() {
      return false;
    }

    @Override
    public boolean embedded() {
      return true;
    }

    @Override
    public String arrayContains(String column) {
      return "ARRAY_CONTAINS(" + column + ", ?)";
    }

    @Override
    public String tryFleetLock() {
      // One process: the callers run on one thread each.
      return "SELECT CAST(? AS VARCHAR) IS NOT NULL";
    }

    @Override
    public String takeIdempotencyKey() {
      return """
          MERGE INTO idempotency_record t
          USING (VALUES (CAST(? AS VARCHAR(64)), CAST(? AS VARCHAR(255)), CAST(? AS CHAR(64)),
                         CAST(? AS INTEGER), CAST(? AS CLOB), CAST(? AS TIMESTAMP WITH TIME ZONE),
                         CAST(? AS TIMESTAMP WITH TIME ZONE)))
                s (client_id, idem_key, fingerprint, response_status, response_body, created_at,
                   expires_at)
             ON t.client_id = s.client_id AND t.idem_key = s.idem_key
          WHEN MATCHED AND t.expires_at <= s.created_at THEN UPDATE
             SET fingerprint = s.fingerprint, response_status = s.response_status,
                 response_body = s.response_body, created_at = s.created_at,
                 expires_at = s.expires_at
          WHEN NOT MATCHED THEN INSERT
                 (client_id, idem_key, fingerprint, response_status, response_body, created_at,
                  expires_at)
          VALUES (s.client_id, s.idem_key, s.fingerprint, s.response_status, s.response_body,
                  s.created_at, s.expires_at)
          """;
    }
  };

  /**
   * Whether one statement may write several tables and lock rows it skips ({@code WITH … UPDATE …
   * RETURNING}, {@code FOR UPDATE SKIP LOCKED}): the claim and the single-message enqueue are then
   * one round trip each, and concurrent claimers never wait for each other. Without it they are
   * several statements in one transaction, serialized within the process.
   */
  public abstract boolean writesInOneStatement();

  /** Whether the database can wake other instances ({@code LISTEN/NOTIFY}). */
  public abstract boolean listenNotify();

  /** Whether rate-limit buckets can live in the database, shared by every instance. */
  public abstract boolean sharedRateBuckets();

  /** Whether the database lives inside this process (only the development setup uses one). */
  public abstract boolean embedded();

  /** A condition that array column {@code column} holds the value of one {@code ?} parameter. */
  public abstract String arrayContains(String column);

  /**
   * Takes the lock named by its one parameter for the rest of the transaction, if no other
   * transaction holds it; selects one boolean, true when taken. Serializes a job across instances
   * without waiting for each other.
   */
  public abstract String tryFleetLock();

  /**
   * Takes an idempotency key: inserts the record, or overwrites one whose {@code expires_at} has
   * passed, and otherwise does nothing; the row count says whether the key was taken. Parameters:
   * client id, key, fingerprint, status, body, created at, expires at.
   */
  public abstract String takeIdempotencyKey();

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
}
