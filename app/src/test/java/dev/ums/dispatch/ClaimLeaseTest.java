package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.ledger.Claim;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.Outcome;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.TestClock;
import dev.ums.testing.TestSmtp;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Claims, leases and tokens, driven step by step: the context's own dispatcher is stopped so the
 * test decides who claims what and when.
 */
@DispatchIntegrationTest
class ClaimLeaseTest {

  static final Duration LEASE = Duration.ofMinutes(2);

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  @Autowired OutboxDispatcher dispatcher;
  @Autowired Ledger ledger;
  @Autowired LeaseReaper reaper;

  @BeforeEach
  void stopDispatcher() {
    dispatcher.stop();
  }

  @AfterEach
  void restartDispatcher() {
    dispatcher.start();
  }

  List<String> accept(int n) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      ids.add(
          http.postJson("/api/messages", "{\"to\": [\"c" + i + "@example.com\"], \"text\": \"x\"}")
              .json()
              .get("id")
              .asString());
    }
    return ids;
  }

  String status(UUID id) {
    return db.jdbc().queryForObject("SELECT status FROM message WHERE id = ?", String.class, id);
  }

  @Test
  void a_claim_stamps_a_lease_and_moves_messages_to_sending() {
    accept(3);

    List<Claim> claimed = ledger.claim("worker-a", 10, LEASE);

    assertThat(claimed).hasSize(3);
    assertThat(claimed).allSatisfy(c -> assertThat(c.attempt()).isEqualTo(1));
    assertThat(claimed).allSatisfy(c -> assertThat(c.content()).isNotEmpty());
    assertThat(claimed).allSatisfy(c -> assertThat(status(c.messageId())).isEqualTo("SENDING"));
    assertThat(
            db.jdbc()
                .queryForObject(
                    "SELECT COUNT(*) FROM outbox WHERE claimed_by = 'worker-a' AND lease_until IS NOT NULL",
                    Integer.class))
        .isEqualTo(3);
    assertThat(ledger.claim("worker-b", 10, LEASE)).isEmpty();
  }

  @Test
  void competing_claims_never_take_the_same_row() throws Exception {
    accept(60);
    int claimers = 6;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(claimers);
    List<CompletableFuture<List<Claim>>> results = new ArrayList<>();
    for (int i = 0; i < claimers; i++) {
      String who = "w" + i;
      results.add(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  go.await();
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
                List<Claim> mine = new ArrayList<>();
                List<Claim> got;
                while (!(got = ledger.claim(who, 7, LEASE)).isEmpty()) {
                  mine.addAll(got);
                }
                return mine;
              },
              pool));
    }
    go.countDown();
    Set<UUID> seen = new HashSet<>();
    int total = 0;
    for (var f : results) {
      for (Claim c : f.get()) {
        total++;
        seen.add(c.messageId());
      }
    }
    pool.shutdown();

    assertThat(total).isEqualTo(60);
    assertThat(seen).hasSize(60);
  }

  @Test
  void scheduled_messages_are_claimed_only_when_due() {
    String in = java.time.Instant.now().plus(Duration.ofHours(1)).toString();
    http.postJson(
        "/api/messages",
        "{\"to\": [\"a@example.com\"], \"text\": \"x\", \"sendAt\": \"" + in + "\"}");

    assertThat(ledger.claim("w", 10, LEASE)).isEmpty();
    clock.advance(Duration.ofMinutes(61));
    assertThat(ledger.claim("w", 10, LEASE)).hasSize(1);
  }

  @Test
  void a_crashed_dispatchers_rows_are_reaped_after_the_lease_and_delivered_by_another() {
    List<String> ids = accept(4);
    List<Claim> doomed = ledger.claim("crashed", 10, LEASE);
    assertThat(doomed).hasSize(4);
    // The "crashed" dispatcher never records anything.

    clock.advance(LEASE.minusSeconds(1));
    assertThat(reaper.reap()).isZero();

    clock.advance(Duration.ofSeconds(2));
    assertThat(reaper.reap()).isEqualTo(4);
    assertThat(
            db.jdbc()
                .queryForObject(
                    "SELECT COUNT(*) FROM send_failure WHERE classification = 'LEASE_EXPIRED' AND attempt = 1",
                    Integer.class))
        .isEqualTo(4);
    for (String id : ids) {
      assertThat(status(UUID.fromString(id))).isEqualTo("QUEUED");
    }

    dispatcher.start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ids.stream().allMatch(id -> status(UUID.fromString(id)).equals("SENT")));
    assertThat(TestSmtp.received()).hasSize(4);
    assertThat(db.jdbc().queryForList("SELECT attempts FROM message", Integer.class))
        .containsOnly(2);
  }

  @Test
  void a_late_completion_with_a_stale_token_is_dropped() {
    accept(1);
    Claim first = ledger.claim("slow", 1, LEASE).get(0);
    clock.advance(LEASE.plusSeconds(1));
    reaper.reap();
    clock.advance(Duration.ofMinutes(5)); // past any backoff
    Claim second = ledger.claim("fast", 1, LEASE).get(0);
    assertThat(second.messageId()).isEqualTo(first.messageId());
    assertThat(second.claimToken()).isNotEqualTo(first.claimToken());
    assertThat(second.attempt()).isEqualTo(2);

    Ledger.Recorded late =
        ledger.record(List.of(new Outcome.Sent(first, "250 OK", null, clock.instant())));

    assertThat(late).isEqualTo(new Ledger.Recorded(0, 1, 0));
    assertThat(status(first.messageId())).isEqualTo("SENDING");
    assertThat(
            db.jdbc()
                .queryForObject(
                    "SELECT claimed_by FROM outbox WHERE message_id = ?",
                    String.class,
                    first.messageId()))
        .isEqualTo("fast");

    Ledger.Recorded current =
        ledger.record(List.of(new Outcome.Sent(second, "250 OK", null, clock.instant())));
    assertThat(current).isEqualTo(new Ledger.Recorded(1, 0, 0));
    assertThat(status(first.messageId())).isEqualTo("SENT");
  }

  @Test
  void a_message_that_keeps_losing_its_lease_ends_as_a_dead_letter() {
    LeaseReaper reaper =
        new LeaseReaper(
            ledger,
            RetryPolicy.exponential(Duration.ofSeconds(30), Duration.ofHours(1))
                .withMaxAttempts(10),
            clock);
    accept(1);
    for (int i = 0; i < 10; i++) {
      clock.advance(Duration.ofHours(2)); // past lease and backoff
      assertThat(ledger.claim("doomed", 1, LEASE)).hasSize(1);
      clock.advance(LEASE.plusSeconds(1));
      reaper.reap();
    }
    assertThat(db.jdbc().queryForObject("SELECT status FROM message", String.class))
        .isEqualTo("FAILED");
    assertThat(db.count("outbox")).isZero();
    assertThat(db.count("send_failure")).isEqualTo(10);
  }

  @Test
  void graceful_shutdown_leaves_nothing_sending() {
    StringBuilder sb = new StringBuilder("{\"messages\": [");
    for (int i = 0; i < 300; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"to\": [\"g")
          .append(i)
          .append("@example.com\"], \"text\": \"n\"}");
    }
    http.postJson("/api/messages/batch", sb.append("]}").toString());

    dispatcher.start();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () ->
                db.jdbc()
                        .queryForObject(
                            "SELECT COUNT(*) FROM message WHERE status = 'SENT'", Integer.class)
                    > 0);
    dispatcher.stop();

    var jdbc = db.jdbc();
    int sending =
        jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE status = 'SENDING'", Integer.class);
    int sent =
        jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE status = 'SENT'", Integer.class);
    int queued =
        jdbc.queryForObject("SELECT COUNT(*) FROM message WHERE status = 'QUEUED'", Integer.class);
    assertThat(sending).isZero();
    assertThat(sent + queued).isEqualTo(300);
    assertThat(db.count("outbox")).isEqualTo(queued);
    assertThat(
            jdbc.queryForObject(
                "SELECT COUNT(*) FROM outbox WHERE claim_token IS NOT NULL", Integer.class))
        .isZero();
    assertThat(TestSmtp.received()).hasSize(sent);
  }
}
