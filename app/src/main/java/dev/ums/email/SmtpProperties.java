package dev.ums.email;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * SMTP relay settings, {@code ums.smtp.*}. Outside development mode {@code host} is required; in
 * development mode (the Spring profile {@code dev}) without it UMS starts an embedded capture inbox
 * instead and no mail leaves the process.
 *
 * @param host relay host name; required outside development mode (in development mode, blank means
 *     the embedded capture inbox)
 * @param port relay port (25, 587 for submission with STARTTLS, 465 for implicit TLS)
 * @param username AUTH user; AUTH is used exactly when this is set
 * @param password AUTH password
 * @param tls transport security. {@code NONE} is the default only so the embedded setup runs with
 *     no configuration; production relays should use {@code STARTTLS} or {@code IMPLICIT}
 * @param sslTrust hosts whose certificate is trusted without a CA chain ({@code
 *     mail.smtp.ssl.trust}: a host list or {@code *}); for self-signed test servers only. When
 *     unset the certificate must chain to a trusted CA and name the host; when set, the host name
 *     check is skipped too, since the certificate is trusted as presented
 * @param connectTimeout TCP connect timeout
 * @param readTimeout how long to wait for each server reply
 * @param writeTimeout how long one socket write may block
 * @param maxConnections open connections kept to the relay, shared by all sending threads
 * @param heloName the name sent in EHLO/HELO; the local host name when unset
 * @param pipelining use SMTP pipelining (RFC 2920) when the relay advertises {@code PIPELINING}:
 *     {@code MAIL FROM}, every {@code RCPT TO} and {@code DATA} go out in one write, so a message
 *     costs two round trips to the relay instead of four. Default true. Relays that do not
 *     advertise it, or that want an AUTH mechanism other than PLAIN or LOGIN, are served by Jakarta
 *     Mail as when this is false; the first connections, opened before the relay's EHLO reply is
 *     known, are Jakarta Mail ones too and are replaced after one message each
 */
@ConfigurationProperties("ums.smtp")
public record SmtpProperties(
    String host,
    @DefaultValue("25") int port,
    String username,
    String password,
    @DefaultValue("NONE") Tls tls,
    String sslTrust,
    @DefaultValue("5s") Duration connectTimeout,
    @DefaultValue("30s") Duration readTimeout,
    @DefaultValue("30s") Duration writeTimeout,
    @DefaultValue("8") int maxConnections,
    String heloName,
    @DefaultValue("true") boolean pipelining) {

  @ConstructorBinding
  public SmtpProperties {
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("ums.smtp.port must be 0..65535");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("ums.smtp.max-connections must be at least 1");
    }
    tls = tls == null ? Tls.NONE : tls;
    connectTimeout = connectTimeout == null ? Duration.ofSeconds(5) : connectTimeout;
    readTimeout = readTimeout == null ? Duration.ofSeconds(30) : readTimeout;
    writeTimeout = writeTimeout == null ? Duration.ofSeconds(30) : writeTimeout;
  }

  /** As the canonical constructor, with pipelining on (its default). */
  public SmtpProperties(
      String host,
      int port,
      String username,
      String password,
      Tls tls,
      String sslTrust,
      Duration connectTimeout,
      Duration readTimeout,
      Duration writeTimeout,
      int maxConnections,
      String heloName) {
    this(
        host,
        port,
        username,
        password,
        tls,
        sslTrust,
        connectTimeout,
        readTimeout,
        writeTimeout,
        maxConnections,
        heloName,
        true);
  }

  /** True when a relay host is configured (otherwise the capture inbox is used). */
  public boolean relayConfigured() {
    return host != null && !host.isBlank();
  }

  /** Hides the password from any log or actuator output. */
  @Override
  public String toString() {
    return "SmtpProperties[host="
        + host
        + ", port="
        + port
        + ", username="
        + (username == null ? null : "<set>")
        + ", tls="
        + tls
        + ", maxConnections="
        + maxConnections
        + ", pipelining="
        + pipelining
        + "]";
  }

  /** How the connection to the relay is secured. */
  public enum Tls {
    /** Plain SMTP. Only for the capture inbox or a relay on a trusted local network. */
    NONE,
    /** Plain connect, then STARTTLS, required: the send fails if the server does not offer it. */
    STARTTLS,
    /** TLS from the first byte (SMTPS, usually port 465). */
    IMPLICIT
  }
}
