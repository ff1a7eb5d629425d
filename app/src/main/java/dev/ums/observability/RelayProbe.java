package dev.ums.observability;

import dev.ums.email.SmtpProperties;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * Whether the SMTP relay accepts TCP connections: a plain connect and close (no SMTP dialogue, no
 * login), with a short timeout, cached for {@code cacheFor} so health checks and alert evaluation
 * never hammer the relay. Remembers when the current outage began. With no relay configured the
 * embedded capture inbox takes the mail, and the relay counts as up.
 */
final class RelayProbe {

  /** The outcome of the latest probe. */
  record State(boolean up, boolean capture, Instant checkedAt, Instant downSince, String error) {}

  private final SmtpProperties props;
  private final Clock clock;
  private final Duration cacheFor;
  private final int timeoutMillis;
  private State last;
  private Instant downSince;

  RelayProbe(SmtpProperties props, Clock clock, Duration cacheFor) {
    this.props = props;
    this.clock = clock;
    this.cacheFor = cacheFor;
    this.timeoutMillis = (int) Math.max(100, Math.min(props.connectTimeout().toMillis(), 2_000));
  }

  /** The cached state, or a fresh probe when the cached one is older than {@code cacheFor}. */
  synchronized State check() {
    Instant now = clock.instant();
    if (!props.relayConfigured()) {
      return new State(true, true, now, null, null);
    }
    if (last != null && Duration.between(last.checkedAt(), now).compareTo(cacheFor) < 0) {
      return last;
    }
    String error = connect();
    if (error == null) {
      downSince = null;
    } else if (downSince == null) {
      downSince = now;
    }
    last = new State(error == null, false, now, downSince, error);
    return last;
  }

  String host() {
    return props.host();
  }

  int port() {
    return props.port();
  }

  /** Null when the connect succeeded, else the error's type. */
  private String connect() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(props.host(), props.port()), timeoutMillis);
      return null;
    } catch (IOException | IllegalArgumentException e) {
      return e.getClass().getSimpleName();
    }
  }
}
