package dev.ums.failure;

import static org.assertj.core.api.Assertions.assertThat;

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
class DeadLetterListingTest {

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

  List<String> ids(JsonNode page) {
    List<String> ids = new ArrayList<>();
    page.get("items").forEach(i -> ids.add(i.get("id").asString()));
    return ids;
  }

  JsonNode list(String query) {
    Http.Answer a = http.get("/api/admin/dead-letters" + query);
    assertThat(a.status()).as(a.body()).isEqualTo(200);
    return a.json();
  }

  @Test
  void lists_failed_messages_newest_first_with_their_failures_and_no_content() {
    UUID older = dead.accept("ann@example.com");
    dead.fail(older, t0, "TRANSIENT", 451, 3);
    UUID newer = dead.failed(t0.plusSeconds(60), "bob@example.org");
    dead.accept("queued@example.com"); // not a dead letter

    Http.Answer a = http.get("/api/admin/dead-letters");

    assertThat(a.status()).isEqualTo(200);
    JsonNode page = a.json();
    assertThat(ids(page)).containsExactly(newer.toString(), older.toString());
    assertThat(page.get("nextCursor").isNull()).isTrue();
    JsonNode item = page.get("items").get(1);
    assertThat(item.get("status").asString()).isEqualTo("FAILED");
    assertThat(item.get("attempts").asInt()).isEqualTo(3);
    assertThat(Instant.parse(item.get("updatedAt").asString())).isEqualTo(t0);
    assertThat(item.get("createdAt").isNull()).isFalse();
    assertThat(item.get("lastError").get("classification").asString()).isEqualTo("TRANSIENT");
    assertThat(item.get("lastError").get("code").asInt()).isEqualTo(451);
    assertThat(item.get("resolution").isNull()).isTrue();
    JsonNode failures = item.get("failures");
    assertThat(failures.size()).isEqualTo(3);
    assertThat(failures.get(0).get("attempt").asInt()).isEqualTo(1);
    assertThat(failures.get(2).get("attempt").asInt()).isEqualTo(3);
    assertThat(failures.get(0).get("classification").asString()).isEqualTo("TRANSIENT");
    assertThat(failures.get(0).get("code").asInt()).isEqualTo(451);
    assertThat(failures.get(0).get("errorText").asString()).isEqualTo("attempt 1 failed");
    assertThat(failures.get(0).get("occurredAt").isNull()).isFalse();
    assertThat(failures.get(0).get("resolvedBy").isNull()).isTrue();
    assertThat(a.body())
        .doesNotContain("example.com", "example.org", "Secret subject", "secret body");
  }

  @Test
  void filters_by_time_window_on_when_the_message_failed() {
    UUID a = dead.failed(t0, "a@example.com");
    UUID b = dead.failed(t0.plusSeconds(60), "b@example.com");
    UUID c = dead.failed(t0.plusSeconds(120), "c@example.com");

    assertThat(ids(list("?from=" + t0.plusSeconds(60))))
        .containsExactly(c.toString(), b.toString());
    assertThat(ids(list("?to=" + t0.plusSeconds(60)))).containsExactly(a.toString());
    assertThat(ids(list("?from=" + t0.plusSeconds(30) + "&to=" + t0.plusSeconds(90))))
        .containsExactly(b.toString());
  }

  @Test
  void filters_by_classification() {
    UUID permanent = dead.failed(t0, "a@example.com");
    UUID transientOne = dead.accept("b@example.com");
    dead.fail(transientOne, t0.plusSeconds(1), "TRANSIENT", 421, 10);

    assertThat(ids(list("?classification=PERMANENT"))).containsExactly(permanent.toString());
    assertThat(ids(list("?classification=TRANSIENT"))).containsExactly(transientOne.toString());
    assertThat(ids(list("?classification=TIMEOUT"))).isEmpty();
    assertThat(ids(list("?classification=lease_expired"))).isEmpty(); // any case
  }

  @Test
  void an_unknown_classification_is_a_400_naming_the_valid_ones_not_an_empty_page() {
    dead.failed(t0, "a@example.com");

    Http.Answer a = http.get("/api/admin/dead-letters?classification=PERMANET");
    assertThat(a.status()).isEqualTo(400);
    assertThat(a.contentType()).startsWith("application/problem+json");
    assertThat(a.body()).contains("classification").contains("LEASE_EXPIRED");
    Http.Answer bulk =
        http.postJson("/api/admin/dead-letters/redrive", "{\"classification\": \"nope\"}");
    assertThat(bulk.status()).isEqualTo(400);
    assertThat(dead.status(dead.failed(t0, "b@example.com"))).isEqualTo("FAILED");
  }

  @Test
  void filters_by_recipient_domain_in_to_cc_or_bcc() {
    UUID inTo = dead.failed(t0, "Ann <ann@Example.COM>");
    UUID other = dead.failed(t0.plusSeconds(1), "bob@example.org");
    Http.Answer accepted =
        http.postJson(
            "/api/messages",
            "{\"to\": [\"x@example.net\"], \"cc\": [\"y@example.org\"],"
                + " \"bcc\": [\"z@example.com\"], \"text\": \"t\"}");
    UUID bcc = UUID.fromString(accepted.json().get("id").asString());
    dead.fail(bcc, t0.plusSeconds(2), "PERMANENT", 550, 1);

    assertThat(ids(list("?domain=example.com"))).containsExactly(bcc.toString(), inTo.toString());
    assertThat(ids(list("?domain=@EXAMPLE.org"))).containsExactly(bcc.toString(), other.toString());
    assertThat(ids(list("?domain=nowhere.test"))).isEmpty();
  }

  @Test
  void pages_through_all_dead_letters_with_a_cursor_without_duplicates_or_gaps() {
    // Three share one instant, so the id breaks the tie across a page boundary.
    for (int i = 0; i < 4; i++) {
      dead.failed(t0.plusSeconds(i), "u" + i + "@example.com");
    }
    for (int i = 0; i < 3; i++) {
      dead.failed(t0.plusSeconds(10), "same" + i + "@example.com");
    }
    List<String> expected =
        db.jdbc()
            .queryForList(
                "SELECT id::text FROM message WHERE status = 'FAILED' ORDER BY updated_at DESC, id DESC",
                String.class);

    List<String> seen = new ArrayList<>();
    String cursor = null;
    int pages = 0;
    do {
      JsonNode page = list("?limit=2" + (cursor == null ? "" : "&cursor=" + cursor));
      List<String> ids = ids(page);
      assertThat(ids).hasSizeLessThanOrEqualTo(2).isNotEmpty();
      seen.addAll(ids);
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asString();
      pages++;
    } while (cursor != null);

    assertThat(pages).isEqualTo(4);
    assertThat(seen).hasSize(7).doesNotHaveDuplicates().isEqualTo(expected);
  }

  @Test
  void pages_with_a_domain_filter_skip_non_matching_rows() {
    List<String> matching = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      UUID id = dead.failed(t0.plusSeconds(i), "u" + i + (i % 2 == 0 ? "@a.test" : "@b.test"));
      if (i % 2 == 0) {
        matching.add(0, id.toString());
      }
    }
    JsonNode first = list("?domain=a.test&limit=2");
    JsonNode second = list("?domain=a.test&limit=2&cursor=" + first.get("nextCursor").asString());

    assertThat(ids(first)).isEqualTo(matching.subList(0, 2));
    assertThat(ids(second)).isEqualTo(matching.subList(2, 3));
    assertThat(second.get("nextCursor").isNull()).isTrue();
  }

  @Test
  void limit_defaults_to_50_and_is_bounded() {
    for (int i = 0; i < 51; i++) {
      dead.failed(t0.plusMillis(i), "u" + i + "@example.com");
    }
    JsonNode page = list("");
    assertThat(page.get("items").size()).isEqualTo(50);
    assertThat(page.get("nextCursor").isNull()).isFalse();

    Http.Answer tooMany = http.get("/api/admin/dead-letters?limit=201");
    assertThat(tooMany.status()).isEqualTo(400);
    assertThat(tooMany.contentType()).startsWith("application/problem+json");
    assertThat(http.get("/api/admin/dead-letters?limit=0").status()).isEqualTo(400);
    assertThat(list("?limit=200").get("items").size()).isEqualTo(51);
  }

  @Test
  void malformed_cursor_or_instant_is_a_400_problem() {
    Http.Answer badCursor = http.get("/api/admin/dead-letters?cursor=not-a-cursor");
    assertThat(badCursor.status()).isEqualTo(400);
    assertThat(badCursor.json().get("type").asString()).isEqualTo("/problems/bad-parameter");

    Http.Answer badFrom = http.get("/api/admin/dead-letters?from=yesterday");
    assertThat(badFrom.status()).isEqualTo(400);
  }
}
