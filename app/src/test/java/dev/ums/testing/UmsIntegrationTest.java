package dev.ums.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;

/**
 * A full UMS on a random port against the run's PostgreSQL database, intake only (no dispatcher, so
 * rows stay as intake wrote them). Classes that use it share one application context; {@link
 * UmsReset} empties the tables and puts the clock back before each test.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "UMS_BOOTSTRAP_ADMIN_KEY=" + Http.ADMIN_KEY,
      "spring.profiles.active=dev",
      "ums.crypto.dev-keyset-path=target/test-keyset.json",
      "ums.ratelimit.requests-per-second=100000",
      "ums.ratelimit.messages-per-second=1000000",
      "ums.ratelimit.clients.limited.requests-per-second=3",
      "ums.ratelimit.clients.limited.messages-per-second=5",
      "ums.limits.max-message-bytes=1MB",
      "ums.limits.max-request-bytes=4MB",
      "ums.dispatch.enabled=false",
      "ums.webhooks.poll-interval=50ms",
      "ums.webhooks.allow-private-addresses=true",
      "ums.webhooks.read-timeout=2s",
      "ums.webhooks.retry-schedule=100ms,200ms,300ms,400ms,500ms,500ms,500ms,500ms,500ms,500ms"
    })
@Import(TestSupportConfig.class)
@ExtendWith(UmsReset.class)
public @interface UmsIntegrationTest {}
