package dev.ums.email.smtp;

import dev.ums.email.SmtpProperties;

/**
 * Where the sender actually connects: the configured relay, or the embedded capture inbox (plain
 * SMTP, no AUTH, no TLS) when no relay is configured.
 */
public record SmtpEndpoint(String host, int port, boolean capture) {

  public static SmtpEndpoint relay(SmtpProperties props) {
    return new SmtpEndpoint(props.host(), props.port(), false);
  }

  public static SmtpEndpoint capture(String host, int port) {
    return new SmtpEndpoint(host, port, true);
  }
}
