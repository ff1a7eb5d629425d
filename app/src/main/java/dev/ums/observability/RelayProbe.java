package dev.ums.observability;

import dev.ums.email.SmtpProperties;
import dev.ums.email.smtp.RelayGreeting;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executor;

/**
 * Whether the SMTP relay answers SMTP: a {@link RelayGreeting} check (connect, 220 greeting, EHLO,
 * QUIT; no AUTH, no mail), so a relay that accepts TCP but never answers, or greets with {@code
 * 421}, counts as down. With {@code ums.smtp.tls=IMPLICIT} the check speaks TLS as the sender does;
 * a STARTTLS relay is checked in plain text up to its EHLO reply.
 *
 * <p>Bounded and cached: the connect waits at most min({@code ums.smtp.connect-timeout}, 2 s), the
 * TLS handshake and the replies at most min({@code ums.smtp.read-timeout}, 3 s) each; a result is
 * trusted for {@code cacheFor}, and at most one check runs at a time whoever asks ({@link
 * SingleFlight}), so health requests and alert evaluation never hammer the relay. Remembers when
 * the current outage began. With no relay configured the embedded capture inbox takes the mail, and
 * the relay counts as up without a check.
 */
final class RelayProbe {

  /** The outcome of the latest check; {@code error} is a short reason naming no host. */
  record State(boolean up, boolean capture, Instant checkedAt, Instant downSince, String error) {}

  private static final Duration MAX_CONNECT = Duration.ofSeconds(2);
  private static final Duration MAX_REPLY = Duration.ofSeconds(3);
  private static final Duration MIN_TIMEOUT = Duration.ofMillis(100);

  private final SmtpProperties props;
  private final Clock clock;
  private final Duration cacheFor;
  private final Duration connectTimeout;
  private final Duration replyTimeout;
  private final SingleFlight<State> checks;
  private State last; // guarded by this
  private Instant downSince; // guarded by this

  /**
   * @param checks where checks run; a check holds its thread for at most the timeouts above
   */
  RelayProbe(SmtpProperties props, Clock clock, Duration cacheFor, Executor checks) {
    this.props = props;
    this.clock = clock;
    this.cacheFor = cacheFor;
    this.connectTimeout = bounded(props.connectTimeout(), MAX_CONNECT);
    this.replyTimeout = bounded(props.readTimeout(), MAX_REPLY);
    this.checks = new SingleFlight<>(checks, this::probe);
  }

  /** The cached state, or a fresh check's, waiting for it as long as it takes (seconds at most). */
  State check() {
    return check(null);
  }

  /**
   * The cached state, or a fresh check's if it ends within {@code wait}; otherwise the previous
   * state (older than {@code cacheFor}) while the check goes on.
   *
   * @param wait how long to wait for a check under way; null: until it ends
   * @return null only when no check has ended yet and {@code wait} ran out
   */
  State check(Duration wait) {
    Instant now = clock.instant();
    if (!props.relayConfigured()) {
      return new State(true, true, now, null, null);
    }
    synchronized (this) {
      if (fresh(now)) {
        return last;
      }
    }
    return checks.await(wait).orElseGet(this::last);
  }

  String host() {
    return props.host();
  }

  int port() {
    return props.port();
  }

  private synchronized State last() {
    return last;
  }

  private State probe() {
    Instant started = clock.instant();
    synchronized (this) {
      if (fresh(started)) { // another caller's check ended just before this one started
        return last;
      }
    }
    String error;
    try {
      error = RelayGreeting.check(props, connectTimeout, replyTimeout).orElse(null);
    } catch (RuntimeException e) {
      error = e.getClass().getSimpleName();
    }
    synchronized (this) {
      if (error == null) {
        downSince = null;
      } else if (downSince == null) {
        downSince = started;
      }
      last = new State(error == null, false, started, downSince, error);
      return last;
    }
  }

  /**
   * A clock that went back (a test clock reset, an NTP step) makes the cache stale, not eternal.
   */
  private boolean fresh(Instant now) {
    if (last == null) {
      return false;
    }
    Duration age = Duration.between(last.checkedAt(), now);
    return !age.isNegative() && age.compareTo(cacheFor) < 0;
  }

  private static Duration bounded(Duration configured, Duration max) {
    Duration d = configured.compareTo(max) > 0 ? max : configured;
    return d.compareTo(MIN_TIMEOUT) < 0 ? MIN_TIMEOUT : d;
  }
}
