package dev.ums.bounce;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

import dev.ums.ledger.Ledger;
import dev.ums.message.MailProperties;
import dev.ums.security.RecipientIndex;
import dev.ums.suppression.Suppressions;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.transaction.support.TransactionTemplate;

/** The listener's settings: off by default, and what start-up refuses when it is on. */
class InboundSettingsTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({InboundProperties.class, MailProperties.class})
  static class Settings {}

  final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withUserConfiguration(Settings.class, InboundConfig.class)
          .withBean(Ledger.class, () -> mock(Ledger.class))
          .withBean(Suppressions.class, () -> mock(Suppressions.class))
          .withBean(RecipientIndex.class, () -> RecipientIndex.withKey(new byte[32]))
          .withBean(TransactionTemplate.class, () -> mock(TransactionTemplate.class))
          .withBean(Clock.class, Clock::systemUTC)
          .withBean(MeterRegistry.class, SimpleMeterRegistry::new);

  @Test
  void off_by_default() {
    runner.run(
        ctx -> {
          assertThat(ctx).hasNotFailed();
          assertThat(ctx).doesNotHaveBean(InboundListener.class);
        });
  }

  @Test
  void on_without_a_port_is_a_start_up_error_naming_it() {
    runner
        .withPropertyValues("ums.inbound.enabled=true", "ums.mail.bounce-domain=b.example.com")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("ums.inbound.port is required"));
  }

  @Test
  void on_without_a_bounce_domain_is_a_start_up_error_naming_it() {
    runner
        .withPropertyValues("ums.inbound.enabled=true", "ums.inbound.port=0")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("ums.mail.bounce-domain is required"));
  }

  @Test
  void a_bounce_domain_must_be_a_host_name() {
    runner
        .withPropertyValues("ums.mail.bounce-domain=not a domain")
        .run(ctx -> assertThat(ctx).getFailure().hasStackTraceContaining("bounceDomain"));
  }

  @Test
  void on_with_both_listens_on_the_port_it_was_given_and_stops() {
    runner
        .withPropertyValues(
            "ums.inbound.enabled=true",
            "ums.inbound.port=0",
            "ums.mail.bounce-domain=b.example.com")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              InboundListener listener = ctx.getBean(InboundListener.class);
              assertThat(listener.isRunning()).isTrue();
              assertThat(listener.port()).isPositive();
            });
  }
}
