package dev.ums.email;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * {@code ums.dev-inbox.*}: the embedded capture inbox used while no relay is configured.
 *
 * @param port its SMTP port on 127.0.0.1 (0: any free port)
 * @param maxMessages stored copies kept at most (one per recipient of a mail); past it the oldest
 *     go first
 * @param maxBytes total size of the stored copies kept at most; past it the oldest go first (a
 *     single mail larger than this is not kept)
 */
@ConfigurationProperties("ums.dev-inbox")
public record DevInboxProperties(
    @DefaultValue("0") int port,
    @DefaultValue("1000") int maxMessages,
    @DefaultValue("50MB") DataSize maxBytes) {

  public DevInboxProperties {
    if (maxMessages < 1 || maxBytes.toBytes() < 1) {
      throw new IllegalArgumentException(
          "ums.dev-inbox.max-messages and ums.dev-inbox.max-bytes must be positive");
    }
  }
}
