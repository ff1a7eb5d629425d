package dev.ums.failure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.ledger.FailureClass;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.ManualDispatch;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * Makes dead letters without SMTP: accepts a message over HTTP, then fails it through the ledger
 * the way the dispatcher would ({@link ManualDispatch}: claimed and failed once per attempt, the
 * last failure without a retry time). Public for the tests of other features that need messages in
 * a given state.
 */
public final class DeadLetters {

  private final Http http;
  private final Db db;
  private final ManualDispatch dispatch;

  public DeadLetters(Http http, Db db, ManualDispatch dispatch) {
    this.http = http;
    this.db = db;
    this.dispatch = dispatch;
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

  /**
   * Fails a QUEUED, due message {@code attempts} times, the last at {@code at}, which makes it a
   * dead letter; other due messages stay queued but become due now ({@link ManualDispatch}).
   */
  public void fail(UUID id, Instant at, String classification, Integer code, int attempts) {
    dispatch.deadLetter(id, at, FailureClass.valueOf(classification), code, attempts);
  }

  /** A dead letter to {@code to}, failed at {@code at} with a permanent 550 after one attempt. */
  public UUID failed(Instant at, String... to) {
    UUID id = accept(to);
    fail(id, at, "PERMANENT", 550, 1);
    return id;
  }

  /**
   * A dead letter to {@code to} (as {@link #failed}), made with {@code dispatcher} stopped so it
   * cannot deliver the message first, and started again afterwards.
   */
  public UUID failedWhileStopped(OutboxDispatcher dispatcher, String to) {
    dispatcher.stop();
    try {
      return failed(Instant.now(), to);
    } finally {
      dispatcher.start();
    }
  }

  public String status(UUID id) {
    return db.jdbc().queryForObject("SELECT status FROM message WHERE id = ?", String.class, id);
  }

  public int outboxRows(UUID id) {
    return db.jdbc()
        .queryForObject("SELECT COUNT(*) FROM outbox WHERE message_id = ?", Integer.class, id);
  }
}
