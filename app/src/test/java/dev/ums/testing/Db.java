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
                + " delivery_budget, suppression CASCADE");
        return;
      } catch (PessimisticLockingFailureException e) {
        if (attempt == 5) {
          throw e;
        }
      }
    }
  }
}
