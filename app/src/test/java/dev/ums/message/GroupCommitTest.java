package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.ledger.KeyClaim;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.NewMessage;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.UmsIntegrationTest;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

@UmsIntegrationTest
class GroupCommitTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired Ledger ledger;
  @Autowired TransactionTemplate tx;
  @Autowired MeterRegistry meters;

  @BeforeEach
  void clean() {
    db.clean();
  }

  private static NewMessage row(String client) {
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    return new NewMessage(
        UUID.randomUUID(), client, new byte[] {1}, 1, new String[] {"d"}, null, now);
  }

  private static KeyClaim claim(String key) {
    return new KeyClaim(key, "f".repeat(64), 202, "{}", Instant.now().plusSeconds(600));
  }

  @Test
  void a_group_is_one_transaction_and_a_failed_group_is_written_again_one_by_one() {
    SimpleMeterRegistry local = new SimpleMeterRegistry();
    GroupCommit gc = new GroupCommit(ledger, tx, new IntakeProperties(true, 1, 256), true, local);
    // Queued before the writer starts, so they form one group of four.
    GroupCommit.Pending a = gc.submit(row("gc"), null);
    GroupCommit.Pending b = gc.submit(row("gc"), claim("k1"));
    GroupCommit.Pending bad = gc.submit(row("x".repeat(100)), null); // client id too long
    GroupCommit.Pending c = gc.submit(row("gc"), claim("k1")); // same key as b
    gc.start();
    try {
      assertThat(a.done().join()).isTrue();
      assertThat(b.done().join()).isTrue();
      assertThat(c.done().join()).as("the key is taken by b").isFalse();
      assertThatThrownBy(() -> bad.done().join()).isInstanceOf(CompletionException.class);
    } finally {
      gc.stop();
    }
    assertThat(db.count("message")).isEqualTo(2);
    assertThat(db.count("outbox")).isEqualTo(2);
    assertThat(db.count("idempotency_record")).isEqualTo(1);
    assertThat(local.summary("ums.intake.group.size").max()).isEqualTo(4);
  }

  @Test
  void concurrent_single_requests_are_grouped_and_each_stored_exactly_once() throws Exception {
    int threads = 32;
    int perThread = 20;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<List<String>>> results = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      int tt = t;
      results.add(
          pool.submit(
              () -> {
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < perThread; i++) {
                  // Every other request carries a key; keys repeat across two threads.
                  String[] headers =
                      i % 2 == 0
                          ? new String[] {"Idempotency-Key", "gc-" + (tt / 2) + "-" + i}
                          : new String[0];
                  Http.Answer a =
                      http.postJson(
                          "/api/messages",
                          "{\"to\": [\"g"
                              + i
                              + "@example.com\"], \"subject\": \"s\","
                              + " \"text\": \"t\"}",
                          headers);
                  assertThat(a.status()).as(a.body()).isEqualTo(202);
                  ids.add(a.json().get("id").asString());
                }
                return ids;
              }));
    }
    Set<String> distinct = new HashSet<>();
    int answered = 0;
    for (Future<List<String>> f : results) {
      List<String> ids = f.get();
      answered += ids.size();
      distinct.addAll(ids);
    }
    pool.shutdown();

    int keyed = threads * perThread / 2;
    int expected = threads * perThread - keyed / 2; // two threads share each key
    assertThat(answered).isEqualTo(threads * perThread);
    assertThat(distinct).hasSize(expected);
    assertThat(db.count("message")).isEqualTo(expected);
    assertThat(db.count("outbox")).isEqualTo(expected);
    assertThat(meters.find("ums.intake.group.size").summary().max())
        .as("some commit served more than one request")
        .isGreaterThan(1);
  }
}
