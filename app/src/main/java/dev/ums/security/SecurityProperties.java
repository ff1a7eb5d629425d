package dev.ums.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.security.*}: how API keys are checked.
 *
 * @param openPrometheus serve {@code /actuator/prometheus} without a key (a scraper inside a
 *     trusted network)
 * @param keyPepper the server-side secret mixed into every stored key hash (HMAC-SHA256), base64,
 *     at least 32 bytes (e.g. {@code UMS_SECURITY_KEY_PEPPER}); required outside development mode.
 *     Changing it invalidates every key
 * @param keyPepperFile a file holding that pepper, base64
 * @param failedAuthPerSecond failed authentications one source address may make per second, on
 *     average, before it is answered 429
 * @param failedAuthBurst failed authentications one source address may make at once
 * @param failedAuthAddresses source addresses tracked at most (bounded memory); past it, the
 *     addresses with a full allowance are forgotten first
 * @param unknownKeyTtl how long a key found unknown is answered 401 without a database look-up
 * @param unknownKeyCacheSize unknown keys remembered at most
 */
@ConfigurationProperties("ums.security")
public record SecurityProperties(
    @DefaultValue("false") boolean openPrometheus,
    String keyPepper,
    String keyPepperFile,
    @DefaultValue("2") double failedAuthPerSecond,
    @DefaultValue("20") int failedAuthBurst,
    @DefaultValue("10000") int failedAuthAddresses,
    @DefaultValue("10s") Duration unknownKeyTtl,
    @DefaultValue("10000") int unknownKeyCacheSize) {

  public SecurityProperties {
    if (failedAuthPerSecond <= 0) {
      throw new IllegalArgumentException("ums.security.failed-auth-per-second must be > 0");
    }
    if (failedAuthBurst < 1) {
      throw new IllegalArgumentException("ums.security.failed-auth-burst must be >= 1");
    }
    if (failedAuthAddresses < 1 || unknownKeyCacheSize < 0) {
      throw new IllegalArgumentException(
          "ums.security.failed-auth-addresses must be >= 1 and unknown-key-cache-size >= 0");
    }
  }
}
