package dev.ums.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Statement texts as pg_stat_statements shows them, sorted into the report's kinds. */
class PgStatementsTest {

  @Test
  void sorts_the_dispatch_statements_into_their_kinds() {
    assertEquals(
        "claim",
        PgStatements.kindOf(
            "WITH due AS (\n  SELECT message_id FROM outbox\n WHERE claim_token IS NULL AND"
                + " next_attempt_at <= $1\n ORDER BY priority, next_attempt_at\n LIMIT $2\n"
                + "   FOR UPDATE SKIP LOCKED\n), claimed AS (UPDATE outbox o SET claimed_by = $3"
                + " FROM due) SELECT id FROM moved"));
    assertEquals(
        "hand-off",
        PgStatements.kindOf(
            "UPDATE outbox SET lease_until = $1 WHERE message_id = $2 AND claim_token = $3"));
    assertEquals(
        "still-claimed check",
        PgStatements.kindOf(
            "SELECT o.message_id, o.claim_token, o.attempts, o.lease_until, m.created_at,\n"
                + "       m.content FROM outbox o JOIN message m ON m.id = o.message_id\n"
                + " WHERE o.claim_token IS NOT NULL AND o.message_id IN ($1,$2,$3)"));
    assertEquals(
        "lease reaper",
        PgStatements.kindOf(
            "SELECT o.message_id, o.claim_token, o.attempts, m.created_at, m.client_id FROM"
                + " outbox o JOIN message m ON m.id = o.message_id WHERE o.claim_token IS NOT"
                + " NULL AND o.lease_until < $1 ORDER BY o.lease_until LIMIT $2"));
  }

  @Test
  void sorts_result_writes_apart_from_the_event_relay() {
    for (String q :
        new String[] {
          "DELETE FROM outbox WHERE message_id = $1 AND claim_token = $2",
          "UPDATE message SET status = $1, sent_at = $2 WHERE id = $6",
          "INSERT INTO event_outbox (event_id) VALUES ($1),($2)",
          "UPDATE outbox SET claim_token = NULL, claimed_by = NULL WHERE message_id = $2"
        }) {
      assertEquals("result write", PgStatements.kindOf(q), q);
    }
    assertEquals(
        "event relay", PgStatements.kindOf("DELETE FROM event_outbox WHERE event_id = $1"));
    assertEquals(
        "event relay", PgStatements.kindOf("SELECT pg_try_advisory_xact_lock(hashtext($1))"));
  }

  @Test
  void sorts_the_rest_by_table_or_command() {
    assertEquals(
        "budget",
        PgStatements.kindOf("UPDATE delivery_budget b SET tokens = $1 WHERE b.name = $2"));
    assertEquals(
        "webhook poll",
        PgStatements.kindOf(
            "SELECT id, client_id FROM webhook_endpoint WHERE disabled_at IS NULL"));
    assertEquals("transaction control", PgStatements.kindOf("BEGIN"));
    assertEquals("transaction control", PgStatements.kindOf("COMMIT"));
    assertEquals("other", PgStatements.kindOf("SET application_name = 'PostgreSQL JDBC Driver'"));
  }
}
