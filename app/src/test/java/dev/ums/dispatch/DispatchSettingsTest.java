package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.email.EmailSender;
import dev.ums.email.SmtpProperties;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Settings the dispatcher refuses at start-up, and what it derives from the ones it takes. */
class DispatchSettingsTest {

  /** The default timeouts: connect 5 s + read 30 s + write 30 s = a 65 s send budget. */
  final EmailSender sender =
      EmailSender.toRelay(
          new SmtpProperties("relay.test", 25, null, null, null, null, null, null, null, 1, null),
          Clock.systemUTC());

  OutboxDispatcher dispatcher(int workers, int prefetch, Duration lease) {
    return new OutboxDispatcher(
        null,
        sender,
        Runnable::run,
        RetryPolicy.exponential(Duration.ofSeconds(1), Duration.ofSeconds(1)),
        TestDispatch.props(100, workers, prefetch, lease),
        "settings",
        "ums.test",
        tools.jackson.databind.json.JsonMapper.builder().build(),
        null,
        Clock.systemUTC());
  }

  @Test
  void refuses_a_lease_not_comfortably_above_the_send_budget_and_names_the_settings() {
    assertThatThrownBy(() -> dispatcher(8, 8, Duration.ofSeconds(10)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("ums.dispatch.lease")
        .hasMessageContaining("ums.smtp.read-timeout")
        .hasMessageContaining("PT1M37.5S");
    assertThatThrownBy(() -> dispatcher(8, 8, Duration.ofSeconds(97)))
        .isInstanceOf(IllegalStateException.class);
  }

  @Test
  void takes_the_default_lease_and_holds_workers_plus_prefetch_rows() {
    OutboxDispatcher d = dispatcher(8, 8, Duration.ofMinutes(2));

    assertThat(d.maxInFlight()).isEqualTo(16);
    assertThat(d.relayBreaker().state()).isEqualTo(RelayBreaker.State.CLOSED);
  }

  @Test
  void refuses_a_negative_prefetch() {
    assertThatThrownBy(() -> TestDispatch.props(100, 8, -1, Duration.ofMinutes(2)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("ums.dispatch.prefetch");
  }
}
