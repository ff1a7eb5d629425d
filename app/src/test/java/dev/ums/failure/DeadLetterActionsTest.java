package dev.ums.failure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.ledger.FailureClass;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.ManualDispatch;
import dev.ums.testing.UmsIntegrationTest;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.JsonNode;

@UmsIntegrationTest
class DeadLetterActionsTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired ManualDispatch dispatch;
  DeadLetters dead;
  Instant t0;

  @BeforeEach
  void setUp() {
    dead = new DeadLetters(http, db, dispatch);
    t0 = Instant.now().minus(Duration.ofDays(1)).truncatedTo(ChronoUnit.MICROS);
  }

  int count(String sql, Object... args) {
    return db.jdbc().queryForObject(sql, Integer.class, args);
  }

  List<String> listed(String query) {
    List<String> ids = new ArrayList<>();
    http.get("/api/admin/dead-letters" + query)
        .json()
        .get("items")
        .forEach(i -> ids.add(i.get("id").asString()));
    return ids;
  }

  @Test
  void redrive_queues_a_dead_letter_with_a_fresh_attempt_budget_and_keeps_its_history() {
    UUID id = dead.accept("ann@example.com");
    dead.fail(id, t0, "TRANSIENT", 451, 10);
    Instant before = Instant.now();

    Http.Answer a = http.postJson("/api/admin/dead-letters/" + id + "/redrive", "");

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode view = a.json();
    assertThat(view.get("id").asString()).isEqualTo(id.toString());
    assertThat(view.get("status").asString()).isEqualTo("QUEUED");
    assertThat(view.get("attempts").asInt()).isZero();
    assertThat(Instant.parse(view.get("nextAttemptAt").asString()))
        .isBetween(before.minusSeconds(1), Instant.now());
    assertThat(dead.status(id)).isEqualTo("QUEUED");
    assertThat(count("SELECT attempts FROM outbox WHERE message_id = ?", id)).isZero();
    assertThat(
            count("SELECT COUNT(*) FROM outbox WHERE message_id = ? AND claim_token IS NULL", id))
        .isEqualTo(1);
    assertThat(count("SELECT COUNT(*) FROM send_failure WHERE message_id = ?", id)).isEqualTo(10);
    assertThat(listed("")).isEmpty();
  }

  @Test
  void redrive_of_a_message_that_is_not_failed_is_a_409_and_of_an_unknown_one_a_404() {
    UUID queued = dead.accept("ann@example.com");
    UUID failed = dead.failed(t0, "bob@example.com");
    assertThat(http.postJson("/api/admin/dead-letters/" + failed + "/redrive", "").status())
        .isEqualTo(200);

    Http.Answer again = http.postJson("/api/admin/dead-letters/" + failed + "/redrive", "");
    Http.Answer notFailed = http.postJson("/api/admin/dead-letters/" + queued + "/redrive", "");
    Http.Answer unknown =
        http.postJson("/api/admin/dead-letters/" + UUID.randomUUID() + "/redrive", "");

    assertThat(again.status()).isEqualTo(409);
    assertThat(again.contentType()).startsWith("application/problem+json");
    assertThat(again.json().get("type").asString()).isEqualTo("/problems/not-failed");
    assertThat(again.json().get("status").asInt()).isEqualTo(409);
    assertThat(again.json().get("currentStatus").asString()).isEqualTo("QUEUED");
    assertThat(notFailed.status()).isEqualTo(409);
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(dead.outboxRows(failed)).isEqualTo(1);
    assertThat(dead.outboxRows(queued)).isEqualTo(1);
  }

  @Test
  void bulk_redrive_by_filter_moves_only_matching_dead_letters_and_is_idempotent() {
    List<UUID> permanent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      permanent.add(dead.failed(t0.plusSeconds(i), "p" + i + "@example.com"));
    }
    UUID transientOne = dead.accept("t@example.com");
    dead.fail(transientOne, t0, "TRANSIENT", 421, 10);
    UUID queued = dead.accept("q@example.com");

    Http.Answer first =
        http.postJson("/api/admin/dead-letters/redrive", "{\"classification\": \"PERMANENT\"}");
    Http.Answer second =
        http.postJson("/api/admin/dead-letters/redrive", "{\"classification\": \"PERMANENT\"}");

    assertThat(first.status()).as(first.body()).isEqualTo(200);
    assertThat(first.json().get("redriven").asInt()).isEqualTo(3);
    assertThat(second.json().get("redriven").asInt()).isZero();
    for (UUID id : permanent) {
      assertThat(dead.status(id)).isEqualTo("QUEUED");
      assertThat(dead.outboxRows(id)).isEqualTo(1);
    }
    assertThat(dead.status(transientOne)).isEqualTo("FAILED");
    assertThat(dead.outboxRows(transientOne)).isZero();
    assertThat(dead.outboxRows(queued)).isEqualTo(1);
    assertThat(db.count("outbox")).isEqualTo(4);
  }

  @Test
  void bulk_redrive_by_ids_and_domain_moves_only_failed_matches() {
    UUID a = dead.failed(t0, "ann@a.test");
    UUID b = dead.failed(t0, "bob@b.test");
    UUID c = dead.failed(t0, "cat@a.test");
    UUID queued = dead.accept("q@a.test");

    Http.Answer byIds =
        http.postJson(
            "/api/admin/dead-letters/redrive",
            "{\"ids\": [\""
                + a
                + "\", \""
                + b
                + "\", \""
                + queued
                + "\", \""
                + a
                + "\"],"
                + " \"domain\": \"a.test\"}");

    assertThat(byIds.json().get("redriven").asInt()).isEqualTo(1);
    assertThat(dead.status(a)).isEqualTo("QUEUED");
    assertThat(dead.status(b)).isEqualTo("FAILED");
    assertThat(dead.status(c)).isEqualTo("FAILED");
    assertThat(db.count("outbox")).isEqualTo(2);

    Http.Answer byDomain =
        http.postJson("/api/admin/dead-letters/redrive", "{\"domain\": \"a.test\"}");
    assertThat(byDomain.json().get("redriven").asInt()).isEqualTo(1);
    assertThat(dead.status(c)).isEqualTo("QUEUED");
    assertThat(dead.status(b)).isEqualTo("FAILED");
  }

  @Test
  void bulk_redrive_spans_several_transactions_of_500() {
    int n = DeadLetterService.CHUNK + 120;
    for (int b = 0; b < n; b += 310) {
      StringBuilder sb = new StringBuilder("{\"messages\": [");
      for (int i = b; i < b + 310; i++) {
        sb.append(i == b ? "" : ",")
            .append("{\"to\": [\"r")
            .append(i)
            .append("@x.test\"], \"text\": \"n\"}");
      }
      assertThat(http.postJson("/api/messages/batch", sb.append("]}").toString()).status())
          .isEqualTo(202);
    }
    assertThat(dispatch.deadLetterAllDue(t0, FailureClass.PERMANENT, 550)).isEqualTo(n);

    Http.Answer a = http.postJson("/api/admin/dead-letters/redrive", "{}");

    assertThat(a.json().get("redriven").asInt()).isEqualTo(n);
    assertThat(db.count("outbox")).isEqualTo(n);
    assertThat(count("SELECT COUNT(*) FROM message WHERE status = 'QUEUED'")).isEqualTo(n);
    assertThat(
            http.postJson("/api/admin/dead-letters/redrive", "{}").json().get("redriven").asInt())
        .isZero();
  }

  @Test
  void bulk_redrive_rejects_unknown_fields() {
    Http.Answer a = http.postJson("/api/admin/dead-letters/redrive", "{\"status\": \"FAILED\"}");
    assertThat(a.status()).isEqualTo(400);
  }

  @Test
  void resolve_keeps_the_message_failed_marks_its_failures_and_hides_it_from_the_listing() {
    UUID id = dead.accept("ann@example.com");
    dead.fail(id, t0, "PERMANENT", 550, 2);
    UUID other = dead.failed(t0.plusSeconds(1), "bob@example.com");

    Http.Answer a =
        http.postJson(
            "/api/admin/dead-letters/" + id + "/resolve",
            "{\"by\": \"ops-jane\", \"reason\": \"customer contacted by phone\"}");

    assertThat(a.status()).as(a.body()).isEqualTo(200);
    JsonNode body = a.json();
    assertThat(body.get("status").asString()).isEqualTo("FAILED");
    assertThat(body.get("resolution").get("by").asString()).isEqualTo("ops-jane");
    assertThat(body.get("resolution").get("reason").asString())
        .isEqualTo("customer contacted by phone");
    assertThat(body.get("resolution").get("at").isNull()).isFalse();
    body.get("failures")
        .forEach(f -> assertThat(f.get("resolvedBy").asString()).isEqualTo("ops-jane"));
    assertThat(dead.status(id)).isEqualTo("FAILED");
    assertThat(
            count(
                "SELECT COUNT(*) FROM send_failure WHERE message_id = ? AND resolved_at IS NOT NULL",
                id))
        .isEqualTo(2);
    assertThat(listed("")).containsExactly(other.toString());
    assertThat(listed("?includeResolved=true")).containsExactly(other.toString(), id.toString());
    // A bulk re-drive by default leaves resolved dead letters alone.
    assertThat(
            http.postJson("/api/admin/dead-letters/redrive", "{\"ids\": [\"" + id + "\"]}")
                .json()
                .get("redriven")
                .asInt())
        .isZero();

    Http.Answer twice =
        http.postJson(
            "/api/admin/dead-letters/" + id + "/resolve", "{\"by\": \"x\", \"reason\": \"y\"}");
    assertThat(twice.status()).isEqualTo(409);
    assertThat(twice.json().get("type").asString()).isEqualTo("/problems/already-resolved");

    // An explicit re-drive brings it back and clears the resolution.
    assertThat(http.postJson("/api/admin/dead-letters/" + id + "/redrive", "").status())
        .isEqualTo(200);
    assertThat(count("SELECT COUNT(*) FROM message WHERE id = ? AND resolved_at IS NULL", id))
        .isEqualTo(1);
  }

  @Test
  void resolve_requires_short_single_line_by_and_reason_and_a_failed_message() {
    UUID failed = dead.failed(t0, "ann@example.com");
    UUID queued = dead.accept("bob@example.com");
    String path = "/api/admin/dead-letters/" + failed + "/resolve";

    Http.Answer missing = http.postJson(path, "{\"by\": \"ops\"}");
    Http.Answer crlf = http.postJson(path, "{\"by\": \"ops\\r\\nX: y\", \"reason\": \"r\"}");
    Http.Answer tooLong =
        http.postJson(path, "{\"by\": \"ops\", \"reason\": \"" + "r".repeat(201) + "\"}");
    Http.Answer notFailed =
        http.postJson(
            "/api/admin/dead-letters/" + queued + "/resolve", "{\"by\": \"o\", \"reason\": \"r\"}");
    Http.Answer unknown =
        http.postJson(
            "/api/admin/dead-letters/" + UUID.randomUUID() + "/resolve",
            "{\"by\": \"o\", \"reason\": \"r\"}");

    assertThat(missing.status()).isEqualTo(400);
    assertThat(missing.json().get("errors").get(0).get("field").asString()).isEqualTo("reason");
    assertThat(crlf.status()).isEqualTo(400);
    assertThat(crlf.json().get("errors").get(0).get("field").asString()).isEqualTo("by");
    assertThat(tooLong.status()).isEqualTo(400);
    assertThat(notFailed.status()).isEqualTo(409);
    assertThat(notFailed.json().get("type").asString()).isEqualTo("/problems/not-failed");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(count("SELECT COUNT(*) FROM message WHERE resolved_at IS NOT NULL")).isZero();
  }
}
