package dev.ums.bench;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Statements one database ran, from {@code pg_stat_statements} (which the server must preload, as
 * {@link PrivatePostgres} does): calls and rows per normalised statement since the last {@link
 * #reset}, each sorted into a {@link #KINDS kind} by its text. Literals and parameters are already
 * {@code $n} in the view, so no message data is read. Calls are counted as the server sees them: a
 * JDBC batch of N statements is N calls, {@code BEGIN} is one (the driver's {@code COMMIT} was not
 * counted by PostgreSQL 15 in the harness's runs).
 *
 * @param entries every statement of the database, most calls first
 */
record PgStatements(List<Entry> entries) {

  /** One normalised statement: its kind, whether the client sent it (not a nested one). */
  record Entry(String kind, String query, boolean toplevel, long calls, long rows) {}

  /** The kinds in report order; the first whose test matches a statement's text takes it. */
  static final Map<String, Predicate<String>> KINDS = kinds();

  private static Map<String, Predicate<String>> kinds() {
    Map<String, Predicate<String>> k = new LinkedHashMap<>();
    k.put("claim", q -> q.contains("for update skip locked") && q.contains("outbox"));
    k.put("hand-off", q -> q.startsWith("update outbox set lease_until"));
    k.put(
        "still-claimed check",
        q -> q.startsWith("select o.message_id, o.claim_token, o.attempts, o.lease_until"));
    k.put("lease reaper", q -> q.contains("o.lease_until <"));
    k.put(
        "result write",
        q ->
            q.startsWith("delete from outbox")
                || q.startsWith("update outbox set next_attempt_at")
                || q.startsWith("update outbox set claim_token = null")
                || q.startsWith("update message set status")
                || q.startsWith("insert into send_failure")
                || q.startsWith("insert into message_event")
                || q.startsWith("insert into event_outbox"));
    k.put(
        "event relay",
        q ->
            q.contains("event_outbox")
                || q.contains("pg_try_advisory_xact_lock")
                || q.contains("from message_event e join message m"));
    k.put("webhook poll", q -> q.contains("webhook_"));
    k.put("budget", q -> q.contains("delivery_budget"));
    k.put("suppression", q -> q.contains("suppression"));
    k.put(
        "transaction control",
        q ->
            q.equals("begin")
                || q.equals("commit")
                || q.equals("rollback")
                || q.startsWith("savepoint")
                || q.startsWith("release savepoint")
                || q.startsWith("rollback to savepoint"));
    k.put("other", q -> true);
    return k;
  }

  /** The kind of a statement's text (whitespace collapsed, lower case). */
  static String kindOf(String query) {
    String q = normalise(query);
    return KINDS.entrySet().stream()
        .filter(e -> e.getValue().test(q))
        .findFirst()
        .orElseThrow()
        .getKey();
  }

  /** Forgets every database's statement counts. */
  static void reset(Postgres pg) throws SQLException {
    try (Connection c = pg.connect("postgres");
        Statement s = c.createStatement()) {
      s.execute("SELECT pg_stat_statements_reset()");
    }
  }

  /** The counts of database {@code db} since the last {@link #reset}. */
  static PgStatements of(Postgres pg, String db) throws SQLException {
    List<Entry> entries = new ArrayList<>();
    try (Connection c = pg.connect("postgres");
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT s.query, s.toplevel, s.calls, s.rows FROM pg_stat_statements s"
                    + " JOIN pg_database d ON d.oid = s.dbid WHERE d.datname = ?")) {
      ps.setString(1, db);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          String q = rs.getString(1);
          entries.add(new Entry(kindOf(q), q, rs.getBoolean(2), rs.getLong(3), rs.getLong(4)));
        }
      }
    }
    entries.sort(Comparator.comparingLong(Entry::calls).reversed());
    return new PgStatements(List.copyOf(entries));
  }

  /** Calls the client sent (nested statements, of functions or triggers, not counted). */
  long calls() {
    return entries.stream().filter(Entry::toplevel).mapToLong(Entry::calls).sum();
  }

  /** Statements run inside others (functions, triggers); 0 when there are none. */
  long nestedCalls() {
    return entries.stream().filter(e -> !e.toplevel()).mapToLong(Entry::calls).sum();
  }

  /** Rows returned or changed by the client's statements. */
  long rows() {
    return entries.stream().filter(Entry::toplevel).mapToLong(Entry::rows).sum();
  }

  /** Client calls per kind, in {@link #KINDS} order, kinds without calls left out. */
  Map<String, long[]> byKind() {
    Map<String, long[]> out = new LinkedHashMap<>();
    for (String kind : KINDS.keySet()) {
      long calls = 0;
      long rows = 0;
      for (Entry e : entries) {
        if (e.toplevel() && e.kind().equals(kind)) {
          calls += e.calls();
          rows += e.rows();
        }
      }
      if (calls > 0) {
        out.put(kind, new long[] {calls, rows});
      }
    }
    return out;
  }

  /** A statement's text on one line, at most {@code max} characters. */
  static String shortText(String query, int max) {
    String q = query.replaceAll("\\s+", " ").trim();
    return q.length() <= max ? q : q.substring(0, max - 1) + "…";
  }

  private static String normalise(String query) {
    return query.replaceAll("\\s+", " ").trim().toLowerCase(Locale.ROOT);
  }
}
