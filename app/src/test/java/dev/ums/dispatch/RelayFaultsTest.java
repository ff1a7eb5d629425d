package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.email.EmailSender;
import dev.ums.ledger.Ledger;
import dev.ums.security.ContentCipher;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.Relays;
import dev.ums.testing.TestClock;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

/**
 * The delivery promise under a slow or failing relay, with no process dying: each message reaches
 * the relay once, and a relay-wide outage spends no message's attempts.
 */
@DispatchIntegrationTest
class RelayFaultsTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  @Autowired OutboxDispatcher contextDispatcher;
  @Autowired Ledger ledger;
  @Autowired JsonMapper json;
  @Autowired ContentCipher cipher;

  ScriptedSmtpServer relay;
  EmailSender sender;
  ExecutorService pool;
  OutboxDispatcher dispatcher;
  ScheduledExecutorService reaping;

  @BeforeEach
  void start() throws Exception {
    contextDispatcher.stop();
    relay = Relays.plain();
    // Send budget 2 s: connect 0.2 + read 1.5 + write 0.3.
    sender =
        EmailSender.toRelay(
            Relays.client(
                relay, Duration.ofMillis(200), Duration.ofMillis(1_500), Duration.ofMillis(300), 4),
            clock);
  }

  @AfterEach
  void stop() throws Exception {
    if (reaping != null) {
      reaping.shutdownNow();
    }
    if (dispatcher != null) {
      dispatcher.stop();
      pool.shutdown();
    }
    sender.close();
    relay.close();
    contextDispatcher.start();
  }

  void startDispatcher(DispatchProperties props, RetryPolicy retry) {
    pool = Executors.newFixedThreadPool(props.workers());
    dispatcher =
        new OutboxDispatcher(
            ledger, sender, pool, retry, props, "faults", "test.ums", json, cipher, clock);
    dispatcher.start();
    // Another instance's reaper, as eager as can be: any row past its lease comes back at once.
    LeaseReaper reaper = new LeaseReaper(ledger, retry, clock);
    reaping = Executors.newSingleThreadScheduledExecutor();
    reaping.scheduleWithFixedDelay(reaper::reap, 100, 100, TimeUnit.MILLISECONDS);
  }

  void queue(int n) {
    StringBuilder sb = new StringBuilder("{\"messages\": [");
    for (int i = 0; i < n; i++) {
      sb.append(i == 0 ? "" : ",")
          .append("{\"to\": [\"r")
          .append(i)
          .append("@example.com\"], \"text\": \"n\"}");
    }
    assertThat(http.postJson("/api/messages/batch", sb.append("]}").toString()).status())
        .isEqualTo(202);
  }

  int count(String status) {
    return db.jdbc()
        .queryForObject("SELECT COUNT(*) FROM message WHERE status = ?", Integer.class, status);
  }

  @Test
  void
      a_slow_relay_gets_each_message_once_although_sends_take_longer_than_queued_rows_could_wait() {
    relay.endOfDataDelay(Duration.ofMillis(600));
    // One worker at 0.6 s a message: 12 rows held at once would outlive a 3.2 s lease.
    startDispatcher(
        TestDispatch.props(50, 1, 2, Duration.ofMillis(3_200)),
        RetryPolicy.exponential(Duration.ofMillis(50), Duration.ofMillis(100)));
    queue(12);

    await().atMost(Duration.ofSeconds(40)).until(() -> count("SENT") == 12);

    assertThat(relay.delivered()).hasSize(12);
    assertThat(new HashSet<>(relay.delivered())).hasSize(12);
    assertThat(db.count("send_failure")).isZero();
    assertThat(dispatcher.maxInFlight()).isEqualTo(3);
  }

  @Test
  void a_relay_outage_opens_the_breaker_spends_no_attempts_and_delivers_all_when_it_returns() {
    relay.greeting("421 4.3.2 Service not available, closing channel");
    // Two attempts in all: without the breaker every message would be a dead letter in seconds.
    RetryPolicy twoAttempts =
        RetryPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(50)).withMaxAttempts(2);
    startDispatcher(TestDispatch.props(50, 2, 2, Duration.ofMinutes(1)), twoAttempts);
    queue(30);

    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> dispatcher.relayBreaker().state() != RelayBreaker.State.CLOSED);
    int atTrip = relay.connections();
    await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(5)).until(() -> true);

    assertThat(count("FAILED")).isZero();
    // Probes at 1, 2 and 4 s intervals: a handful of connections, not one per retry.
    assertThat(relay.connections() - atTrip).isLessThanOrEqualTo(4);
    assertThat(dispatcher.relayBreaker().trips()).isEqualTo(1);

    relay.greeting("220 fake ESMTP");
    await().atMost(Duration.ofSeconds(20)).until(() -> count("SENT") == 30);

    assertThat(new HashSet<>(relay.delivered())).hasSize(30);
    assertThat(relay.delivered()).hasSize(30);
    assertThat(dispatcher.relayBreaker().state()).isEqualTo(RelayBreaker.State.CLOSED);
    // Only failures seen before the breaker opened were charged.
    List<Integer> attempts = db.jdbc().queryForList("SELECT attempts FROM message", Integer.class);
    assertThat(attempts).allMatch(a -> a <= 2);
    assertThat(attempts.stream().filter(a -> a == 2).count()).isLessThan(5);
    assertThat(db.count("send_failure")).isGreaterThanOrEqualTo(5);
  }

  @Test
  void a_message_specific_failure_on_a_healthy_relay_is_still_charged() {
    relay.rcptReply(rcpt -> rcpt.contains("r0@") ? "451 4.7.1 Greylisted" : "250 2.1.5 Ok");
    RetryPolicy twoAttempts =
        RetryPolicy.exponential(Duration.ofMillis(20), Duration.ofMillis(50)).withMaxAttempts(2);
    startDispatcher(TestDispatch.props(50, 2, 2, Duration.ofMinutes(1)), twoAttempts);
    queue(20);

    await().atMost(Duration.ofSeconds(15)).until(() -> count("SENT") == 19 && count("FAILED") == 1);

    assertThat(dispatcher.relayBreaker().trips()).isZero();
  }
}
