package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.email.smtp.SmtpEndpoint;
import dev.ums.ledger.FailureClass;
import dev.ums.testing.Relays;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sends bound to a deadline (the dispatcher's lease end) against a scripted relay. */
class SendDeadlineTest {

  ScriptedSmtpServer relay;
  EmailSender sender;

  @BeforeEach
  void start() throws Exception {
    relay = Relays.plain();
    SmtpProperties p =
        Relays.client(
            relay, Duration.ofMillis(200), Duration.ofMillis(500), Duration.ofMillis(300), 1);
    sender = new EmailSender(p, SmtpEndpoint.relay(p), Clock.systemUTC());
  }

  @AfterEach
  void stop() throws Exception {
    sender.close();
    relay.close();
  }

  @Test
  void the_budget_is_connect_plus_read_plus_write_timeout() {
    assertThat(sender.sendBudget()).isEqualTo(Duration.ofSeconds(1));
  }

  @Test
  void does_not_start_when_less_than_the_budget_is_left_and_sends_nothing() {
    long deadline = System.nanoTime() + Duration.ofMillis(900).toNanos();

    assertThatThrownBy(() -> sender.send(Senders.simple("late", "ann@example.com"), deadline))
        .isInstanceOf(SendNotStarted.class);
    assertThat(relay.connections()).isZero();
  }

  @Test
  void does_not_start_after_waiting_too_long_for_a_connection() throws Exception {
    relay.endOfDataDelay(Duration.ofMillis(400)); // holds the only connection
    Thread busy =
        new Thread(
            () -> {
              try {
                sender.send(Senders.simple("first", "ann@example.com"));
              } catch (SmtpSendException e) {
                throw new IllegalStateException(e);
              }
            });
    busy.start();
    org.awaitility.Awaitility.await().until(() -> relay.connections() == 1);
    long deadline = System.nanoTime() + Duration.ofMillis(1_100).toNanos();

    assertThatThrownBy(() -> sender.send(Senders.simple("second", "bob@example.com"), deadline))
        .isInstanceOf(SendNotStarted.class);
    busy.join();
    assertThat(relay.delivered()).containsExactly("<first@ums.test>");
  }

  @Test
  void a_send_still_running_at_its_deadline_is_aborted_as_a_timeout() {
    relay.roundTripDelay(Duration.ofMillis(400)); // every step is slow, none times out on its own
    long started = System.nanoTime();
    long deadline = started + Duration.ofMillis(1_200).toNanos();

    assertThatThrownBy(() -> sender.send(Senders.simple("slow", "ann@example.com"), deadline))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            e -> {
              assertThat(e.classification()).isEqualTo(FailureClass.TIMEOUT);
              assertThat(e.getMessage()).contains("deadline");
            });
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofMillis(1_900));
    assertThat(relay.delivered()).isEmpty();
  }

  @Test
  void a_send_with_time_to_spare_goes_through() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();

    assertThat(sender.send(Senders.simple("ok", "ann@example.com"), deadline).reply())
        .startsWith("250");
    assertThat(relay.delivered()).containsExactly("<ok@ums.test>");
  }
}
