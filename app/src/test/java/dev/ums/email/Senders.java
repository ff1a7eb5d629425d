package dev.ums.email;

import dev.ums.email.smtp.SmtpEndpoint;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Builds senders and emails for tests, without a Spring context. */
final class Senders {

  /** The account scripted relays accept when they require AUTH. */
  static final String USER = "ums";

  static final String PASSWORD = "s3cret";

  private Senders() {}

  static SmtpProperties props(int port, int maxConnections, Duration readTimeout) {
    return props(port, maxConnections, readTimeout, true);
  }

  static SmtpProperties props(
      int port, int maxConnections, Duration readTimeout, boolean pipelining) {
    return new SmtpProperties(
        "127.0.0.1",
        port,
        null,
        null,
        SmtpProperties.Tls.NONE,
        null,
        Duration.ofSeconds(2),
        readTimeout,
        Duration.ofSeconds(5),
        maxConnections,
        "ums.test",
        pipelining);
  }

  static EmailSender sender(int port) {
    return sender(port, 2, Duration.ofSeconds(5));
  }

  static EmailSender sender(int port, int maxConnections, Duration readTimeout) {
    SmtpProperties p = props(port, maxConnections, readTimeout);
    return new EmailSender(p, SmtpEndpoint.relay(p), Clock.systemUTC());
  }

  static Email simple(String id, String... to) {
    return new Email(
        "<" + id + "@ums.test>",
        "UMS <no-reply@ums.test>",
        List.of(to),
        List.of(),
        List.of(),
        null,
        "Hello",
        "Hi there",
        null,
        Map.of());
  }
}
