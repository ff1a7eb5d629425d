package dev.ums.failure;

import static dev.ums.support.JdbcTime.ts;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Makes dead letters without SMTP: accepts a message over HTTP, then moves it to FAILED with SQL
 * the way the dispatcher would (outbox row gone, last error set, one send_failure row per attempt).
 * Public for the tests of other features that need messages in a given state.
 */
public final class DeadLetters {

  private final Http http;
  private final Db db;

  public DeadLetters(Http http, Db db) {
    this.http = http;
    this.db = db;
  }

  /** Accepts a message to {@code to}; {@code sendAt} null for now. */
  public UUID accept(List<String> to, Instant sendAt) {
    String recipients = to.stream().map(a -> "\"" + a + "\"").collect(Collectors.joining(","));
    String body =
        "{\"to\": ["
            + recipients
            + "], \"subject\": \"Secret subject\", \"text\": \"secret body\""
            + (sendAt == null ? "" : ", \"sendAt\": \"" + sendAt + "\"")
            + "}";
    Http.Answer a = http.postJson("/api/messages", body);
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    return UUID.fromString(a.json().get("id").asString());
  }

  public UUID accept(String... to) {
    return accept(List.of(to), null);
  }

  /** Moves a QUEUED message to FAILED at {@code at} after {@code attempts} failed attempts. */
  public void fail(UUID id, Instant at, String classification, Integer code, int attempts) {
    var jdbc = db.jdbc();
    assertThat(jdbc.update("DELETE FROM outbox WHERE message_id = ?", id)).isEqualTo(1);
    assertThat(
            jdbc.update(
                "UPDATE message SET status = 'FAILED', attempts = ?, last_error_class = ?,"
                    + " last_error_code = ?, updated_at = ? WHERE id = ? AND status = 'QUEUED'",
                attempts,
                classification,
                code,
                ts(at),
                id))
        .isEqualTo(1);
    for (int i = 1; i <= attempts; i++) {
      jdbc.update(
          "INSERT INTO send_failure (message_id, attempt, classification, reply_code, error_text,"
              + " occurred_at) VALUES (?, ?, ?, ?, ?, ?)",
          id,
          i,
          classification,
          code,
          "attempt " + i + " failed",
          ts(at.minusSeconds(attempts - i)));
    }
  }

  /** A dead letter to {@code to}, failed at {@code at} with a permanent 550 after one attempt. */
  public UUID failed(Instant at, String... to) {
    UUID id = accept(to);
    fail(id, at, "PERMANENT", 550, 1);
    return id;
  }

  public String status(UUID id) {
    return db.jdbc().queryForObject("SELECT status FROM message WHERE id = ?", String.class, id);
  }

  public int outboxRows(UUID id) {
    return db.jdbc()
        .queryForObject("SELECT COUNT(*) FROM outbox WHERE message_id = ?", Integer.class, id);
  }
}
