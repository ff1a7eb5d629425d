package dev.ums.retention;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** How {@code ums.retention.*} binds: defaults, event retention switched off, and refusals. */
class RetentionSettingsTest {

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(RetentionProperties.class)
  static class Settings {}

  final ApplicationContextRunner runner =
      new ApplicationContextRunner().withUserConfiguration(Settings.class);

  @Test
  void events_expire_after_30_days_by_default_and_content_is_kept() {
    runner.run(
        ctx -> {
          RetentionProperties p = ctx.getBean(RetentionProperties.class);
          assertThat(p.eventDays()).isEqualTo(30);
          assertThat(p.eventsExpire()).isTrue();
          assertThat(p.contentDays()).isNull();
        });
  }

  @Test
  void event_days_0_keeps_events_forever() {
    runner
        .withPropertyValues("ums.retention.event-days=0")
        .run(
            ctx -> {
              assertThat(ctx).hasNotFailed();
              assertThat(ctx.getBean(RetentionProperties.class).eventsExpire()).isFalse();
            });
  }

  @Test
  void negative_event_days_is_a_start_up_error_naming_the_setting() {
    runner
        .withPropertyValues("ums.retention.event-days=-1")
        .run(
            ctx ->
                assertThat(ctx)
                    .getFailure()
                    .hasStackTraceContaining("ums.retention.event-days")
                    .hasStackTraceContaining("greater than or equal to 0"));
  }
}
