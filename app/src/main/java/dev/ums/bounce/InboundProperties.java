package dev.ums.bounce;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code ums.inbound.*}: the SMTP listener that receives bounces (RFC 3464 delivery status
 * notifications) and complaints (RFC 5965 feedback reports) for mail sent with a per-message return
 * path ({@code ums.mail.bounce-domain}).
 *
 * @param enabled whether the listener runs (off by default); it needs {@code port} and {@code
 *     ums.mail.bounce-domain}
 * @param host the address it listens on
 * @param port its SMTP port; required when enabled ({@code 0}: any free port, for tests)
 * @param maxMessageSize a report larger than this is refused ({@code 552}) while it is read
 * @param maxConnections SMTP sessions served at once; more are turned away with {@code 421}
 */
@ConfigurationProperties("ums.inbound")
public record InboundProperties(
    @DefaultValue("false") boolean enabled,
    @DefaultValue("127.0.0.1") String host,
    Integer port,
    @DefaultValue("1MB") DataSize maxMessageSize,
    @DefaultValue("20") int maxConnections) {

  public InboundProperties {
    if (enabled && port == null) {
      throw new IllegalArgumentException(
          "ums.inbound.port is required when ums.inbound.enabled=true");
    }
    if (port != null && (port < 0 || port > 65535)) {
      throw new IllegalArgumentException("ums.inbound.port must be between 0 and 65535");
    }
    if (maxMessageSize.toBytes() < 1024 || maxMessageSize.toBytes() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "ums.inbound.max-message-size must be between 1KB and 2GB");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("ums.inbound.max-connections must be at least 1");
    }
  }
}
