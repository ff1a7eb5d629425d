package dev.ums.failure;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.dispatch.OutboxDispatcher;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.ManualDispatch;
import dev.ums.testing.TestClock;
import dev.ums.testing.TestSmtp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/** A re-driven dead letter is delivered by the running dispatcher to a real SMTP server. */
@DispatchIntegrationTest
class RedriveDeliveryTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired TestClock clock;
  @Autowired OutboxDispatcher dispatcher;
  @Autowired ManualDispatch manual;
  @Autowired io.micrometer.core.instrument.MeterRegistry meters;
  DeadLetters dead;

  @BeforeEach
  void setUp() {
    dead = new DeadLetters(http, db, manual);
  }

  /** A dead letter to {@code to}, made while the context's dispatcher is stopped. */
  UUID deadLetter(String to) {
    return dead.failedWhileStopped(dispatcher, to);
  }

  /** Copies received of {@code id}: other classes' leftovers may arrive too, so count by id. */
  long received(UUID id) {
    String messageId = "<" + id + "@test.ums>";
    return TestSmtp.received().stream()
        .filter(m -> messageId.equals(TestSmtp.messageId(m)))
        .count();
  }

  String status(UUID id) {
    return http.get("/api/messages/" + id).json().get("status").asString();
  }

  @Test
  void a_redriven_dead_letter_is_delivered_once_and_keeps_its_failure_history() {
    UUID id = deadLetter("ann@example.com");
    double accepted = meters.counter("ums.messages.accepted").count();
    double redriven = meters.counter("ums.messages.redriven").count();

    assertThat(http.postJson("/api/admin/dead-letters/" + id + "/redrive", "").status())
        .isEqualTo(200);
    // A re-drive is an operator's, not an intake: it is counted apart.
    assertThat(meters.counter("ums.messages.accepted").count()).isEqualTo(accepted);
    assertThat(meters.counter("ums.messages.redriven").count()).isEqualTo(redriven + 1);

    await().atMost(Duration.ofSeconds(10)).until(() -> status(id).equals("SENT"));
    assertThat(received(id)).isEqualTo(1);
    assertThat(db.count("outbox")).isZero();
    assertThat(http.get("/api/messages/" + id).json().get("attempts").asInt()).isEqualTo(1);
    assertThat(
            db.jdbc()
                .queryForObject(
                    "SELECT COUNT(*) FROM send_failure WHERE message_id = ?", Integer.class, id))
        .isEqualTo(1);
  }

  @Test
  void a_bulk_redrive_delivers_every_dead_letter_exactly_once_even_when_sent_twice() {
    List<UUID> ids =
        List.of(deadLetter("a@example.com"), deadLetter("b@example.com"), deadLetter("c@x.test"));

    int first =
        http.postJson("/api/admin/dead-letters/redrive", "{\"domain\": \"example.com\"}")
            .json()
            .get("redriven")
            .asInt();
    int second =
        http.postJson("/api/admin/dead-letters/redrive", "{\"domain\": \"example.com\"}")
            .json()
            .get("redriven")
            .asInt();

    assertThat(first).isEqualTo(2);
    assertThat(second).isZero();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> status(ids.get(0)).equals("SENT") && status(ids.get(1)).equals("SENT"));
    assertThat(received(ids.get(0))).isEqualTo(1);
    assertThat(received(ids.get(1))).isEqualTo(1);
    assertThat(received(ids.get(2))).isZero();
    assertThat(status(ids.get(2))).isEqualTo("FAILED");
  }

  @Test
  void a_scheduled_message_cancelled_before_its_time_is_never_sent() {
    UUID id = dead.accept(List.of("ann@example.com"), Instant.now().plusSeconds(2));

    assertThat(http.postJson("/api/messages/" + id + "/cancel", "").status()).isEqualTo(200);

    clock.advance(Duration.ofSeconds(5));
    // A later message due now is delivered: the dispatcher ran past the cancelled one's time.
    UUID later = dead.accept("bob@example.com");
    await().atMost(Duration.ofSeconds(10)).until(() -> status(later).equals("SENT"));
    assertThat(received(later)).isEqualTo(1);
    assertThat(received(id)).isZero();
    assertThat(status(id)).isEqualTo("CANCELLED");
  }
}
