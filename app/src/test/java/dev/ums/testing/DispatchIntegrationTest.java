package dev.ums.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.ContextConfiguration;

/**
 * A full UMS with its dispatcher running, delivering to {@link TestSmtp}. Retries are fast (100 ms
 * base) and practically unbounded in number, so a slow machine cannot turn an outage test into dead
 * letters; the scheduled reaper is parked so tests drive it themselves. Classes that use it share
 * one application context; {@link UmsReset} empties the tables, puts the clock back and purges the
 * relay's mailboxes before each test, with the dispatcher stopped meanwhile.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@SpringBootTest(
    webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
    properties = {
      "spring.datasource.url=${" + PostgresTestDatabase.DISPATCH_URL + "}",
      "UMS_BOOTSTRAP_ADMIN_KEY=" + Http.ADMIN_KEY,
      "spring.profiles.active=dev",
      "ums.crypto.dev-keyset-path=target/test-keyset.json",
      "ums.ratelimit.requests-per-second=100000",
      "ums.ratelimit.messages-per-second=1000000",
      "ums.ratelimit.clients.limited.requests-per-second=3",
      "ums.ratelimit.clients.limited.messages-per-second=5",
      "ums.smtp.host=127.0.0.1",
      "ums.smtp.read-timeout=2s",
      "ums.smtp.connect-timeout=1s",
      "ums.retry.base=100ms",
      "ums.retry.cap=300ms",
      "ums.retry.max-attempts=1000",
      "ums.dispatch.reap-interval=1h",
      "ums.dispatch.poll-interval=200ms",
      "ums.dispatch.instance-id=test-main",
      "ums.mail.message-id-domain=test.ums",
      "ums.webhooks.poll-interval=50ms",
      "ums.webhooks.allow-private-addresses=true"
    })
@ContextConfiguration(initializers = TestSmtpPortInitializer.class)
@Import(TestSupportConfig.class)
@ExtendWith(UmsReset.class)
public @interface DispatchIntegrationTest {}
