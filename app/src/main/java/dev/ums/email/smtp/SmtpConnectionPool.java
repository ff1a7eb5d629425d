package dev.ums.email.smtp;

import dev.ums.email.SendResult;
import dev.ums.email.SmtpProperties;
import dev.ums.email.SmtpSendException;
import dev.ums.ledger.FailureClass;
import jakarta.mail.Address;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A small pool of open connections to one relay (or the embedded capture inbox). Thread-safe; at
 * most {@code ums.smtp.max-connections} connections are open, and a caller waits for a {@link
 * Lease} when all are busy. A lease lends one connection to one send at a time.
 *
 * <p>Guarantees and failure modes:
 *
 * <ul>
 *   <li>Every send is bounded by the connect, read and write timeouts; none hangs forever. A send
 *       given a deadline is also aborted (its socket closed) if it is still running at the
 *       deadline, and fails as {@code TIMEOUT}.
 *   <li>After an error the connection is closed and dropped; the next send connects afresh. The
 *       exception: on a pipelined connection a refusal (MAIL FROM, every RCPT TO, or DATA refused)
 *       is followed by {@code RSET} and the connection is kept. Idle connections are checked
 *       ({@code NOOP}) before reuse; a connection reused unchecked that turns out dead before any
 *       of the body went out is replaced and the message tried once more.
 *   <li>Nothing is logged that names a recipient, a subject or a body.
 * </ul>
 *
 * <p>Two ways to speak SMTP, with the same results and failures: Jakarta Mail ({@link
 * JakartaConnection}, four client turns per message) and, with {@code ums.smtp.pipelining} on (the
 * default) and a relay that advertises {@code PIPELINING}, {@link PipelinedConnection} (two, or one
 * when the relay also advertises {@code CHUNKING}). Until a connection has seen the relay's EHLO
 * reply, connections are Jakarta Mail ones; the first to connect tells whether the relay pipelines,
 * and if it does each of them is closed after its message and replaced by a pipelined one.
 */
public final class SmtpConnectionPool implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SmtpConnectionPool.class);

  /** A start-by time or deadline that is none. */
  public static final long NO_DEADLINE = Long.MAX_VALUE;

  /**
   * A connection idle for longer than this is checked with NOOP before reuse; a fresher one is
   * reused at once. Relays drop idle sessions after minutes (RFC 5321 §4.5.3.2 suggests 5), so
   * checking every reuse would only add a round trip per message.
   */
  static final long CHECK_IDLE_AFTER_NANOS = 2_000_000_000L;

  private final SmtpProperties props;
  private final SmtpEndpoint endpoint;
  private final Session session;
  private final String protocol;
  private final Semaphore permits;
  private final BlockingQueue<Idle> idle = new LinkedBlockingQueue<>();
  private final SendWatchdog watchdog = new SendWatchdog();
  private final AtomicInteger connectsOpened = new AtomicInteger();
  private volatile boolean closed;

  /**
   * Whether new connections pipeline: null until a connection has seen the relay's EHLO reply, then
   * whether it advertised {@code PIPELINING} (and an AUTH mechanism {@link PipelinedConnection}
   * speaks). Always false with {@code ums.smtp.pipelining=false}.
   */
  private volatile Boolean pipelines;

  /** What pipelined connections connect with; set together with {@code pipelines = true}. */
  private volatile PipelinedConnection.Settings pipelined;

  /** A pooled connection and when it was last returned. */
  private record Idle(SmtpConnection connection, long sinceNanos) {}

  /** A connection taken from the pool; {@code unchecked} if reused without a NOOP. */
  private record Reused(SmtpConnection connection, boolean unchecked) {}

  public SmtpConnectionPool(SmtpProperties props, SmtpEndpoint endpoint) {
    this.props = props;
    this.endpoint = endpoint;
    this.protocol =
        !endpoint.capture() && props.tls() == SmtpProperties.Tls.IMPLICIT ? "smtps" : "smtp";
    this.session = Session.getInstance(SessionProperties.of(props, endpoint, protocol));
    this.permits = new Semaphore(props.maxConnections(), true);
    this.pipelines = props.pipelining() ? null : Boolean.FALSE;
  }

  /** The Jakarta Mail session messages for this pool are built in. */
  public Session session() {
    return session;
  }

  /**
   * Waits for a connection permit, until {@code startByNanos} ({@link System#nanoTime()} scale) at
   * most.
   *
   * @param startByNanos the latest time the send may start, or {@link #NO_DEADLINE} to wait as long
   *     as it takes
   * @return a lease, which the caller must close; empty if no permit was free before {@code
   *     startByNanos}
   * @throws SmtpSendException the thread was interrupted while waiting
   */
  public Optional<Lease> lease(long startByNanos) throws SmtpSendException {
    try {
      if (startByNanos == NO_DEADLINE) {
        permits.acquire();
      } else if (!permits.tryAcquire(startByNanos - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        return Optional.empty();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SmtpFailures.interruptedWaitingForConnection();
    }
    if (startByNanos != NO_DEADLINE && System.nanoTime() > startByNanos) {
      permits.release();
      return Optional.empty();
    }
    return Optional.of(new Lease());
  }

  /** One connection permit, for one send. Closing it gives the permit back. */
  public final class Lease implements AutoCloseable {

    private boolean released;

    private Lease() {}

    /**
     * Sends one message on a pooled or new connection.
     *
     * @param deadlineNanos when the send is aborted if still running ({@link System#nanoTime()}
     *     scale), or {@link #NO_DEADLINE}
     * @return the reply to the end of the message and the recipients refused while others were
     *     accepted
     * @throws SmtpSendException no recipient got the message; {@code TIMEOUT} when aborted at the
     *     deadline
     */
    public SendResult send(MimeMessage mime, Address[] envelope, long deadlineNanos)
        throws SmtpSendException {
      SendWatchdog.Watch dog = deadlineNanos == NO_DEADLINE ? null : watchdog.watch(deadlineNanos);
      SmtpConnection c = null;
      try {
        Reused reused = reuseIdle();
        if (reused != null && reused.unchecked()) {
          // Reused without a NOOP check: a connection the relay dropped in the last moments fails
          // on its first command. Nothing was accepted then, so try once more on a new connection.
          c = reused.connection();
          try {
            SendResult result = transmit(c, dog, mime, envelope);
            giveBack(c);
            c = null;
            return result;
          } catch (SmtpSendException e) {
            if (e.classification() != FailureClass.CONNECTION
                || !c.safeToRetry()
                || (dog != null && dog.fired())) {
              throw e;
            }
            discard(c);
            c = null;
          }
        } else if (reused != null) {
          c = reused.connection();
        }
        if (c == null) {
          c = connect();
        }
        SendResult result = transmit(c, dog, mime, envelope);
        giveBack(c);
        c = null;
        return result;
      } finally {
        if (dog != null) {
          dog.cancel();
        }
        if (c != null) {
          if (c.reusable() && (dog == null || !dog.fired())) {
            giveBack(c); // a refusal the pipelined session recovered from with RSET
          } else {
            discard(c);
          }
        }
      }
    }

    /** Gives the permit back; the connection, if any, went back to the pool when the send ended. */
    @Override
    public void close() {
      if (!released) {
        released = true;
        permits.release();
      }
    }
  }

  /** One send on {@code c}, aborted by {@code dog} (if any) when its deadline passes. */
  private static SendResult transmit(
      SmtpConnection c, SendWatchdog.Watch dog, MimeMessage mime, Address[] envelope)
      throws SmtpSendException {
    if (dog == null) {
      return c.send(mime, envelope);
    }
    dog.attach(c);
    try {
      return c.send(mime, envelope);
    } catch (SmtpSendException e) {
      if (dog.fired()) {
        throw SmtpFailures.abortedAtDeadline();
      }
      throw e;
    } finally {
      dog.attach(null);
    }
  }

  /**
   * An idle connection, or null. A fresh one comes back unchecked; an older one only if it still
   * answers NOOP. Caller holds a permit.
   */
  private Reused reuseIdle() throws SmtpSendException {
    if (closed) {
      throw SmtpFailures.senderClosed();
    }
    Idle i;
    while ((i = idle.poll()) != null) {
      if (System.nanoTime() - i.sinceNanos() < CHECK_IDLE_AFTER_NANOS) {
        return new Reused(i.connection(), true);
      }
      // A NOOP round trip: it finds connections the server has timed out.
      if (i.connection().alive()) {
        return new Reused(i.connection(), false);
      }
      discard(i.connection());
    }
    return null;
  }

  /**
   * A new connection. Caller holds a permit. Until a connection has seen the relay's EHLO reply
   * this is a Jakarta Mail one, which then tells whether the relay pipelines; see {@link #giveBack}
   * for what becomes of it.
   */
  private SmtpConnection connect() throws SmtpSendException {
    PipelinedConnection.Settings settings = pipelined;
    if (Boolean.TRUE.equals(pipelines) && settings != null) {
      connectsOpened.incrementAndGet();
      try {
        PipelinedConnection c = PipelinedConnection.open(settings);
        log.debug(
            "event=smtp_connected host={} port={} pipelining=true",
            endpoint.host(),
            endpoint.port());
        return c;
      } catch (PipelinedConnection.Unsupported e) {
        pipelines = Boolean.FALSE; // the relay changed its mind; so do we, for good
        log.info("event=smtp_pipelining enabled=false reason=\"{}\"", e.getMessage());
      }
    }
    SMTPTransport t = JakartaConnection.transport(session, protocol);
    connectsOpened.incrementAndGet();
    JakartaConnection c =
        JakartaConnection.connect(
            t,
            endpoint,
            endpoint.capture() ? null : props.username(),
            endpoint.capture() ? null : props.password());
    log.debug("event=smtp_connected host={} port={}", endpoint.host(), endpoint.port());
    if (pipelines == null) {
      learn(t);
    }
    return c;
  }

  /** Decides, once, from a connected transport's EHLO reply whether to pipeline from now on. */
  private synchronized void learn(SMTPTransport t) {
    if (pipelines != null) {
      return;
    }
    PipelinedConnection.Settings settings = pipelinedSettings(t.getLocalHost());
    // Like Jakarta Mail, authenticate only when a user is set and the relay offers AUTH at all.
    boolean authOk =
        settings.username() == null
            || !(t.supportsExtension("AUTH") || t.supportsExtension("AUTH=LOGIN"))
            || PipelinedConnection.speaksAuth(
                t.getExtensionParameter("AUTH"), t.supportsExtension("AUTH=LOGIN"));
    boolean yes = t.supportsExtension("PIPELINING") && authOk;
    if (yes) {
      pipelined = settings;
    }
    pipelines = yes;
    log.info(
        "event=smtp_pipelining enabled={} reason=\"{}\"",
        yes,
        yes
            ? "the relay advertises PIPELINING"
            : authOk
                ? "the relay does not advertise PIPELINING"
                : "the relay offers neither AUTH PLAIN nor AUTH LOGIN");
  }

  /** How a pipelined connection connects: the same session properties as Jakarta Mail's. */
  PipelinedConnection.Settings pipelinedSettings(String ehloName) {
    String user = endpoint.capture() ? null : props.username();
    boolean auth = user != null && !user.isBlank();
    return new PipelinedConnection.Settings(
        endpoint.host(),
        endpoint.port(),
        session.getProperties(),
        "mail." + protocol,
        "smtps".equals(protocol),
        ehloName,
        auth ? user : null,
        auth ? props.password() : null);
  }

  /**
   * Back to the pool. A Jakarta Mail connection opened before the relay was known to pipeline is
   * closed instead, so that pipelined ones replace it.
   */
  private void giveBack(SmtpConnection c) {
    if (closed || (c instanceof JakartaConnection && Boolean.TRUE.equals(pipelines))) {
      discard(c);
    } else {
      idle.offer(new Idle(c, System.nanoTime()));
    }
  }

  private void discard(SmtpConnection c) {
    c.close();
  }

  /** Connections to the relay attempted so far, refused ones included. */
  public int connectionsOpened() {
    return connectsOpened.get();
  }

  /** Whether new connections pipeline; null while unknown. */
  public Boolean pipelining() {
    return pipelines;
  }

  /**
   * Closes idle connections and refuses new sends; connections in use are closed when their send
   * ends, and the watchdog keeps their deadlines until then.
   */
  @Override
  public void close() {
    closed = true;
    Idle i;
    while ((i = idle.poll()) != null) {
      discard(i.connection());
    }
    watchdog.close();
  }

  /** The deadline watchdog (for tests). */
  SendWatchdog watchdog() {
    return watchdog;
  }
}
