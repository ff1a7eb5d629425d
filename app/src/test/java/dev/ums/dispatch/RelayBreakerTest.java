package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.ledger.FailureClass;
import dev.ums.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class RelayBreakerTest {

  final TestClock clock = new TestClock();

  {
    clock.freeze(); // the test moves time by the millisecond
  }

  final RelayBreaker breaker = new RelayBreaker(TestDispatch.breaker(true), clock);

  @Test
  void opens_when_most_recent_attempts_fail_for_relay_reasons_and_charges_none_after() {
    for (int i = 0; i < 4; i++) {
      assertThat(breaker.onFailure(FailureClass.CONNECTION)).isFalse();
    }
    assertThat(breaker.onFailure(FailureClass.TIMEOUT)).isTrue();

    assertThat(breaker.state()).isEqualTo(RelayBreaker.State.OPEN);
    assertThat(breaker.permits(50)).isZero();
    assertThat(breaker.maySend()).isFalse();
    assertThat(breaker.onFailure(FailureClass.TRANSIENT)).isTrue(); // an attempt already running
    assertThat(breaker.trips()).isEqualTo(1);
  }

  @Test
  void stays_closed_while_failures_are_a_minority() {
    for (int i = 0; i < 40; i++) {
      breaker.onHealthy();
      breaker.onHealthy();
      assertThat(breaker.onFailure(FailureClass.TRANSIENT)).isFalse();
    }
    assertThat(breaker.state()).isEqualTo(RelayBreaker.State.CLOSED);
    assertThat(breaker.permits(50)).isEqualTo(50);
  }

  @Test
  void a_5xx_means_the_relay_answers_and_counts_as_healthy() {
    for (int i = 0; i < 20; i++) {
      assertThat(breaker.onFailure(FailureClass.PERMANENT)).isFalse();
    }
    assertThat(breaker.state()).isEqualTo(RelayBreaker.State.CLOSED);
  }

  @Test
  void probes_with_one_message_after_open_for_and_closes_on_success() {
    trip();
    clock.advance(Duration.ofMillis(999));
    assertThat(breaker.permits(50)).isZero();

    clock.advance(Duration.ofMillis(1));
    assertThat(breaker.permits(50)).isEqualTo(1);
    assertThat(breaker.state()).isEqualTo(RelayBreaker.State.HALF_OPEN);
    assertThat(breaker.permits(50)).isZero(); // one probe at a time
    breaker.claimed(1);
    assertThat(breaker.maySend()).isTrue();

    breaker.onHealthy();
    assertThat(breaker.state()).isEqualTo(RelayBreaker.State.CLOSED);
    assertThat(breaker.permits(50)).isEqualTo(50);
  }

  @Test
  void a_failed_probe_doubles_the_wait_up_to_the_cap() {
    trip();
    clock.advance(Duration.ofSeconds(1));
    for (long seconds : new long[] {2, 4, 8, 16, 30, 30}) {
      assertThat(breaker.permits(10)).isEqualTo(1);
      assertThat(breaker.onFailure(FailureClass.CONNECTION)).isTrue();

      clock.advance(Duration.ofSeconds(seconds).minusMillis(1));
      assertThat(breaker.permits(10)).as("still open %ss in", seconds).isZero();
      clock.advance(Duration.ofMillis(1));
    }
    assertThat(breaker.trips()).isEqualTo(1);
  }

  @Test
  void a_probe_claim_that_found_nothing_probes_again_next_time() {
    trip();
    clock.advance(Duration.ofSeconds(1));
    assertThat(breaker.permits(10)).isEqualTo(1);
    breaker.claimed(0);
    assertThat(breaker.permits(10)).isEqualTo(1);
  }

  @Test
  void disabled_it_never_opens_and_charges_every_failure() {
    RelayBreaker off = new RelayBreaker(TestDispatch.breaker(false), clock);
    for (int i = 0; i < 50; i++) {
      assertThat(off.onFailure(FailureClass.CONNECTION)).isFalse();
    }
    assertThat(off.permits(7)).isEqualTo(7);
  }

  private void trip() {
    for (int i = 0; i < 5; i++) {
      breaker.onFailure(FailureClass.CONNECTION);
    }
    assertThat(breaker.state()).isEqualTo(RelayBreaker.State.OPEN);
  }
}
