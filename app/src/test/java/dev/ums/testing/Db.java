package dev.ums.testing;

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

  public void clean() {
    jdbc.execute(
        "TRUNCATE webhook_delivery, webhook_endpoint, event_outbox, message_event, send_failure,"
            + " outbox, idempotency_record, message, message_template, suppression CASCADE");
  }
}
