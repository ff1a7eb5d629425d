package dev.ums.email.smtp;

import dev.ums.email.SmtpProperties;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.eclipse.angus.mail.util.SocketConnectException;
import org.eclipse.angus.mail.util.SocketFetcher;

/**
 * A health check of the configured relay that speaks SMTP but sends no mail: connect, read the
 * greeting, {@code EHLO} (or {@code HELO} if the relay does not know EHLO), {@code QUIT}. No AUTH,
 * no STARTTLS, no MAIL.
 *
 * <p>The socket is made as the sender makes it (Angus Mail's {@link SocketFetcher} with the
 * sender's session properties), so with {@code ums.smtp.tls=IMPLICIT} the TLS handshake, trusted
 * hosts ({@code ums.smtp.ssl-trust}) and the host name check are the sender's: a relay the sender
 * could not talk to fails here too. A STARTTLS relay is checked in plain text up to its EHLO reply.
 *
 * <p>Failure modes, each reported as a short reason that names no host and quotes no reply text:
 * connect refused or timed out; TLS handshake failed; no greeting, or no EHLO reply, within the
 * reply timeout (a relay that accepts TCP and never answers); a greeting other than 220 (e.g. 421,
 * 554); EHLO and HELO refused. The whole check ends within about the connect timeout plus twice the
 * reply timeout (once for an implicit TLS handshake, once for greeting and EHLO together) plus half
 * a second for the QUIT reply, which is read only so the relay sees a clean end and never counts.
 */
public final class RelayGreeting {

  private static final int MAX_LINE = 2048;
  private static final int MAX_LINES = 100;
  private static final long QUIT_WAIT_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private RelayGreeting() {}

  /**
   * Runs the check once.
   *
   * @param props the relay settings ({@link SmtpProperties#relayConfigured()} must hold)
   * @param connectTimeout for the TCP connect
   * @param replyTimeout for the TLS handshake, and then for the greeting and the EHLO (or HELO)
   *     reply together
   * @return empty when the relay greeted with 220 and accepted EHLO or HELO; else why not
   */
  public static Optional<String> check(
      SmtpProperties props, Duration connectTimeout, Duration replyTimeout) {
    boolean implicitTls = props.tls() == SmtpProperties.Tls.IMPLICIT;
    String prefix = implicitTls ? "mail.smtps" : "mail.smtp";
    Properties session =
        SessionProperties.of(props, SmtpEndpoint.relay(props), implicitTls ? "smtps" : "smtp");
    session.setProperty(prefix + ".connectiontimeout", Long.toString(connectTimeout.toMillis()));
    session.setProperty(prefix + ".timeout", Long.toString(replyTimeout.toMillis()));
    session.remove(prefix + ".writetimeout"); // a writer thread per socket; EHLO, QUIT never block
    Socket socket;
    try {
      socket = SocketFetcher.getSocket(props.host(), props.port(), session, prefix, implicitTls);
    } catch (IOException | RuntimeException e) {
      // Angus wraps connect failures; the wrapped one says what happened (refused, unreachable).
      Throwable cause =
          e instanceof SocketConnectException && e.getCause() != null ? e.getCause() : e;
      if (cause instanceof SocketTimeoutException) {
        return Optional.of(
            implicitTls ? "connect or TLS handshake timed out" : "connect timed out");
      }
      return Optional.of(cause.getClass().getSimpleName());
    }
    try (socket) {
      Dialogue d = new Dialogue(socket, System.nanoTime() + replyTimeout.toNanos());
      int greeting = d.reply("greeting");
      if (greeting != 220) {
        return Optional.of("greeting " + greeting);
      }
      String name = heloName(props, socket);
      int hello = d.exchange("EHLO " + name, "EHLO");
      if (hello >= 500) { // a relay that only knows HELO, as Jakarta Mail falls back
        hello = d.exchange("HELO " + name, "HELO");
      }
      if (hello != 250) {
        return Optional.of("EHLO " + hello);
      }
      d.quit();
      return Optional.empty();
    } catch (Step e) {
      return Optional.of(e.getMessage());
    } catch (IOException | RuntimeException e) {
      return Optional.of(e.getClass().getSimpleName());
    }
  }

  /** {@code ums.smtp.helo-name}, else this end's address literal: no DNS look-up on the way. */
  private static String heloName(SmtpProperties props, Socket socket) {
    if (props.heloName() != null && !props.heloName().isBlank()) {
      return props.heloName();
    }
    InetAddress local = socket.getLocalAddress();
    String literal = local.getHostAddress();
    int scope = literal.indexOf('%');
    literal = scope < 0 ? literal : literal.substring(0, scope);
    return local instanceof Inet6Address ? "[IPv6:" + literal + "]" : "[" + literal + "]";
  }

  /** Commands and replies on one socket, every read bounded by one deadline. */
  private static final class Dialogue {
    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;
    private long deadline;

    Dialogue(Socket socket, long deadline) throws IOException {
      this.socket = socket;
      this.in = new BufferedInputStream(socket.getInputStream(), 1024);
      this.out = socket.getOutputStream();
      this.deadline = deadline;
    }

    int exchange(String command, String step) throws IOException {
      out.write((command + "\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return reply(step);
    }

    /** Says QUIT and waits briefly for 221, so the relay sees a clean end; never fails. */
    void quit() {
      deadline = Math.min(deadline, System.nanoTime() + QUIT_WAIT_NANOS);
      try {
        exchange("QUIT", "QUIT");
      } catch (IOException | RuntimeException e) {
        // the relay already answered what the check needs
      }
    }

    /** The code of one reply, possibly of several lines. */
    int reply(String step) throws IOException {
      try {
        for (int n = 0; n < MAX_LINES; n++) {
          String l = line(step);
          if (l.length() < 3 || !l.substring(0, 3).chars().allMatch(Character::isDigit)) {
            throw new Step("malformed " + step + " reply");
          }
          if (l.length() == 3 || l.charAt(3) != '-') {
            return Integer.parseInt(l.substring(0, 3));
          }
        }
        throw new Step(step + " reply too long");
      } catch (SocketTimeoutException e) {
        throw new Step("no " + step + " reply in time");
      } catch (EOFException e) {
        throw new Step("connection closed before the " + step + " reply");
      }
    }

    private String line(String step) throws IOException {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left <= 0) {
        throw new Step("no " + step + " reply in time");
      }
      socket.setSoTimeout((int) Math.min(left, Integer.MAX_VALUE));
      StringBuilder s = new StringBuilder(64);
      int b;
      while ((b = in.read()) != '\n') {
        if (b < 0) {
          throw new EOFException();
        }
        if (s.length() >= MAX_LINE) {
          throw new Step(step + " reply line too long");
        }
        s.append((char) b);
      }
      return s.toString();
    }
  }

  /** A step of the dialogue went wrong; the message is the reason reported. */
  private static final class Step extends IOException {
    Step(String reason) {
      super(reason, null);
    }
  }
}
