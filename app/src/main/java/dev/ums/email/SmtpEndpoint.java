package dev.ums.email;

/**
 * Where the sender actually connects: the configured relay, or the embedded capture inbox (plain
 * SMTP, no AUTH, no TLS) when no relay is configured.
 */
record SmtpEndpoint(String host, int port, boolean capture) {

  static SmtpEndpoint relay(SmtpProperties props) {
    return new SmtpEndpoint(props.host(), props.port(), false);
  }

  static SmtpEndpoint capture(int port) {
    return new SmtpEndpoint(DevInbox.HOST, port, true);
  }
}
