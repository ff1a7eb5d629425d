package dev.ums.retention;

import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Retention settings ({@code ums.retention.*}).
 *
 * @param contentDays drop the content of SENT messages this many days after they were sent; unset
 *     (the default) keeps content forever. FAILED messages are never touched.
 * @param interval how often the retention jobs run
 * @param eventDays delete delivery events ({@code message_event}, with their event-outbox rows and
 *     webhook deliveries) this many days after they occurred; {@code 0} keeps them forever (the
 *     setting has a default, so it cannot be left unset to mean "forever" as {@code contentDays}
 *     is). Negative is a start-up error naming the setting.
 * @param webhookDeliveryDays delete finished webhook deliveries (DELIVERED or FAILED) from the
 *     delivery log this many days after they were queued; PENDING ones stay
 * @param batchSize rows one delete statement removes at most (each its own transaction)
 */
@ConfigurationProperties("ums.retention")
@Validated
record RetentionProperties(
    @Positive Integer contentDays,
    @DefaultValue("1h") Duration interval,
    @DefaultValue("30") @PositiveOrZero int eventDays,
    @DefaultValue("14") @Positive int webhookDeliveryDays,
    @DefaultValue("1000") @Positive int batchSize) {

  /** Whether delivery events are deleted at all ({@code event-days} above 0). */
  boolean eventsExpire() {
    return eventDays > 0;
  }
}
