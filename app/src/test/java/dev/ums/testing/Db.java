package dev.ums.testing;

import org.springframework.dao.PessimisticLockingFailureException;
import org.springframework.jdbc.core.JdbcTemplate;

/** Direct look at the tables, for asserting what was (not) written. */
public class Db {

  private final JdbcTemplate jdbc;

  public Db(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  public JdbcTemplate jdbc() {
    return jdbc;
  }

  public int count(String table) {
    return jdbc.queryForObject("SELECT COUNT(*) FROM " + table, Integer.class);
  }

  /**
   * The {@code table.column}s of every table (PostgreSQL) whose text, bytes or array holds {@code
   * marker}: the marker tests' check that personal data is stored nowhere in the clear.
   */
  public java.util.List<String> columnsHolding(String marker) {
    java.util.List<java.util.Map<String, Object>> columns =
        jdbc.queryForList(
            """
            SELECT table_name, column_name, data_type FROM information_schema.columns
             WHERE table_schema = 'public'
               AND data_type IN ('text', 'character varying', 'character', 'bytea', 'ARRAY')
            """);
    if (columns.isEmpty()) {
      throw new IllegalStateException("no columns to search");
    }
    java.util.List<String> hits = new java.util.ArrayList<>();
    for (java.util.Map<String, Object> c : columns) {
      String table = (String) c.get("table_name");
      String column = (String) c.get("column_name");
      String test =
          switch ((String) c.get("data_type")) {
            case "bytea" -> "position(convert_to(?, 'UTF8') in \"" + column + "\") > 0";
            case "ARRAY" -> "array_to_string(\"" + column + "\", ',') LIKE '%' || ? || '%'";
            default -> "\"" + column + "\" LIKE '%' || ? || '%'";
          };
      Integer n =
          jdbc.queryForObject(
              "SELECT COUNT(*) FROM \"" + table + "\" WHERE " + test, Integer.class, marker);
      if (n != null && n > 0) {
        hits.add(table + "." + column);
      }
    }
    return hits;
  }

  /** Rows in message, outbox and idempotency_record together. */
  public int intakeRows() {
    return count("message") + count("outbox") + count("idempotency_record");
  }

  /**
   * Empties every table a test writes. TRUNCATE locks its tables one after another, so a statement
   * of a background job (stats, alerts, the webhook relay) that reads two of them can deadlock with
   * it; PostgreSQL then aborts one side, and the truncate is simply tried again.
   */
  public void clean() {
    for (int attempt = 1; ; attempt++) {
      try {
        jdbc.execute(
            "TRUNCATE webhook_delivery, webhook_endpoint, event_outbox, message_event,"
                + " send_failure, outbox, idempotency_record, message, message_template,"
                + " delivery_budget, suppression, bounce CASCADE");
        return;
      } catch (PessimisticLockingFailureException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }
}
