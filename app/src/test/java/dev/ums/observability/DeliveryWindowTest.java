package dev.ums.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.TestClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeliveryWindowTest {

  final TestClock clock = new TestClock();
  final DeliveryWindow window = new DeliveryWindow(Duration.ofMinutes(5), clock);

  @Test
  void counts_attempts_and_failures_within_the_window_and_forgets_older_ones() {
    window.record(true);
    window.record(false);
    clock.advance(Duration.ofMinutes(3));
    window.record(true);
    window.record(false);

    assertThat(window.counts()).isEqualTo(new DeliveryWindow.Counts(4, 2));
    assertThat(window.counts().ratio()).isEqualTo(0.5);

    clock.advance(Duration.ofMinutes(3)); // the first two are now 6 minutes old
    assertThat(window.counts()).isEqualTo(new DeliveryWindow.Counts(2, 1));

    clock.advance(Duration.ofMinutes(10));
    assertThat(window.counts()).isEqualTo(new DeliveryWindow.Counts(0, 0));
    assertThat(window.counts().ratio()).isZero();
  }

  @Test
  void a_reused_bucket_starts_from_zero() {
    window.record(true);
    clock.advance(Duration.ofMinutes(5)); // same ring slot, one lap later
    window.record(false);

    assertThat(window.counts()).isEqualTo(new DeliveryWindow.Counts(1, 0));
  }
}
