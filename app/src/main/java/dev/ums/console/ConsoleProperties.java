package dev.ums.console;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.console.*}: the operator console at {@code /console}.
 *
 * @param idleTimeout a signed-in session ends after this long without a request (at least 1m)
 * @param pageSize rows per page in the console's listings (1..200)
 */
@ConfigurationProperties("ums.console")
public record ConsoleProperties(
    @DefaultValue("15m") Duration idleTimeout, @DefaultValue("50") int pageSize) {

  public ConsoleProperties {
    if (idleTimeout.compareTo(Duration.ofMinutes(1)) < 0) {
      throw new IllegalArgumentException("ums.console.idle-timeout must be at least 1m");
    }
    if (pageSize < 1 || pageSize > 200) {
      throw new IllegalArgumentException("ums.console.page-size must be between 1 and 200");
    }
  }
}
