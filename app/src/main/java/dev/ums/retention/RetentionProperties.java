package dev.ums.retention;

import jakarta.validation.constraints.Positive;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Retention settings ({@code ums.retention.*}).
 *
 * @param contentDays drop the content of SENT messages this many days after they were sent; unset
 *     (the default) keeps content forever. FAILED messages are never touched.
 * @param interval how often the retention job runs
 */
@ConfigurationProperties("ums.retention")
@Validated
record RetentionProperties(@Positive Integer contentDays, @DefaultValue("1h") Duration interval) {}
