package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {

  static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");
  final RetryPolicy noJitter = RetryPolicy.exponential(Duration.ofSeconds(30), Duration.ofHours(1));

  @Test
  void delay_ceiling_doubles_from_the_base_and_stops_at_the_cap() {
    assertThat(noJitter.delay(1)).isEqualTo(Duration.ofSeconds(30));
    assertThat(noJitter.delay(2)).isEqualTo(Duration.ofSeconds(60));
    assertThat(noJitter.delay(3)).isEqualTo(Duration.ofSeconds(120));
    assertThat(noJitter.delay(8)).isEqualTo(Duration.ofHours(1));
    assertThat(noJitter.delay(30)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void full_jitter_scales_the_ceiling_by_the_random_draw() {
    RetryPolicy half = noJitter.withJitter(() -> 0.5, 0);
    RetryPolicy zero = noJitter.withJitter(() -> 0.0, 0);

    assertThat(half.delay(3)).isEqualTo(Duration.ofSeconds(60));
    assertThat(zero.delay(3)).isEqualTo(Duration.ZERO);
  }

  @Test
  void jitter_never_goes_below_its_floor() {
    RetryPolicy floored = noJitter.withJitter(() -> 0.0, 0.5);
    RetryPolicy top = noJitter.withJitter(() -> 0.999_999, 0.5);

    assertThat(floored.delay(3)).isEqualTo(Duration.ofSeconds(60));
    assertThat(top.delay(3)).isBetween(Duration.ofSeconds(119), Duration.ofSeconds(120));
  }

  @Test
  void default_jitter_stays_between_half_the_ceiling_and_the_ceiling() {
    RetryPolicy jittered = noJitter.withJitter();
    for (int i = 0; i < 1000; i++) {
      assertThat(jittered.delay(4)).isBetween(Duration.ofSeconds(120), Duration.ofSeconds(240));
    }
  }

  @Test
  void relay_failures_spend_no_attempts_and_give_up_only_at_the_maximum_age() {
    RetryPolicy p = noJitter.withMaxAttempts(1).withMaxAge(Duration.ofHours(2));

    assertThat(p.afterRelayFailure(T0, T0.plusSeconds(60)))
        .isEqualTo(new RetryPolicy.Retry(T0.plusSeconds(60)));
    assertThat(p.afterRelayFailure(T0, T0.plus(Duration.ofMinutes(121))))
        .isInstanceOf(RetryPolicy.GiveUp.class);
  }

  @Test
  void retries_until_attempts_are_spent() {
    RetryPolicy p = noJitter.withMaxAttempts(3);

    assertThat(p.afterFailure(1, T0, T0)).isEqualTo(new RetryPolicy.Retry(T0.plusSeconds(30)));
    assertThat(p.afterFailure(2, T0, T0)).isEqualTo(new RetryPolicy.Retry(T0.plusSeconds(60)));
    assertThat(p.afterFailure(3, T0, T0)).isInstanceOf(RetryPolicy.GiveUp.class);
  }

  @Test
  void gives_up_when_the_next_attempt_would_be_past_the_maximum_age() {
    RetryPolicy p = noJitter.withMaxAge(Duration.ofHours(2));
    Instant late = T0.plus(Duration.ofMinutes(119)).plusSeconds(45);

    assertThat(p.afterFailure(1, T0, late)).isInstanceOf(RetryPolicy.GiveUp.class);
    assertThat(p.afterFailure(1, T0, T0.plus(Duration.ofMinutes(100))))
        .isInstanceOf(RetryPolicy.Retry.class);
  }

  @Test
  void factor_changes_the_growth() {
    RetryPolicy p = noJitter.withFactor(3);
    assertThat(p.delay(3)).isEqualTo(Duration.ofSeconds(270));
  }
}
