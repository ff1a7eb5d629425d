package dev.ums.email;

import dev.ums.ledger.FailureClass;
import jakarta.annotation.PreDestroy;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.net.Socket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * Hands emails to one SMTP relay (or the embedded capture inbox) over a small pool of open
 * connections. Thread-safe; at most {@code ums.smtp.max-connections} connections are open, and a
 * caller waits when all are busy.
 *
 * <p>Guarantees and failure modes:
 *
 * <ul>
 *   <li>A normal return means the server accepted the message (2xx to DATA) for at least one
 *       recipient; recipients it refused are listed in {@link SendResult#refused()}.
 *   <li>{@link SmtpSendException} means no recipient got the message. Its {@link FailureClass} says
 *       whether a retry can help.
 *   <li>Every send is bounded by the connect, read and write timeouts; none hangs forever. A send
 *       given a deadline ({@link #send(Email, long)}) also never starts when less than {@link
 *       #sendBudget()} is left before it (waiting for a pooled connection included), and is aborted
 *       (its socket closed) if it is still running at the deadline.
 *   <li>If the connection breaks after the server accepted DATA but before its reply arrived, the
 *       send is reported as failed (TIMEOUT or CONNECTION) although the mail may have been
 *       delivered: SMTP cannot tell. A retry then sends a duplicate with the same {@code
 *       Message-ID}, which receivers can use to de-duplicate.
 *   <li>After an error the connection is closed and dropped; the next send connects afresh. The
 *       exception: on a pipelined connection a refusal (MAIL FROM, every RCPT TO, or DATA refused)
 *       is followed by {@code RSET} and the connection is kept. Idle connections are checked
 *       ({@code NOOP}) before reuse; a connection reused unchecked that turns out dead before any
 *       of the body went out is replaced and the message tried once more.
 *   <li>Nothing is logged that names a recipient, a subject or a body.
 * </ul>
 *
 * <p>Two ways to speak SMTP, with the same results and failures: Jakarta Mail (four client turns
 * per message) and, with {@code ums.smtp.pipelining} on (the default) and a relay that advertises
 * {@code PIPELINING}, {@link PipelinedConnection} (two, or one when the relay also advertises
 * {@code CHUNKING}). Until a connection has seen the relay's EHLO reply, connections are Jakarta
 * Mail ones; the first to connect tells whether the relay pipelines, and if it does each of them is
 * closed after its message and replaced by a pipelined one.
 */
@Component
public class EmailSender implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EmailSender.class);

  /**
   * Jakarta Mail 2.1 looks its {@code StreamProvider} up with a {@code ServiceLoader} scan on every
   * body part it creates or writes (jakartaee/mail-api#699, #861) — inside a Spring Boot jar that
   * was half of all dispatch CPU. Naming the provider makes the look-up a loaded-class hit; it is
   * the same provider the scan would find. Left alone if the operator set it.
   */
  static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

  static {
    if (System.getProperty(STREAM_PROVIDER) == null) {
      System.setProperty(STREAM_PROVIDER, "org.eclipse.angus.mail.util.MailStreamProvider");
    }
    CachingCommandMap.install();
  }

  private final SmtpProperties props;
  private final SmtpEndpoint endpoint;
  private final Clock clock;
  private final Session session;
  private final String protocol;
  private final Semaphore permits;
  private final BlockingQueue<Idle> idle = new LinkedBlockingQueue<>();

  /**
   * Whether new connections pipeline: null until a connection has seen the relay's EHLO reply, then
   * whether it advertised {@code PIPELINING} (and an AUTH mechanism {@link PipelinedConnection}
   * speaks). Always false with {@code ums.smtp.pipelining=false}.
   */
  private volatile Boolean pipelines;

  /** What pipelined connections connect with; set together with {@code pipelines = true}. */
  private volatile PipelinedConnection.Settings pipelined;

  /**
   * A connection idle for longer than this is checked with NOOP before reuse; a fresher one is
   * reused at once. Relays drop idle sessions after minutes (RFC 5321 §4.5.3.2 suggests 5), so
   * checking every reuse would only add a round trip per message.
   */
  static final long CHECK_IDLE_AFTER_NANOS = 2_000_000_000L;

  /** A pooled connection and when it was last returned. */
  private record Idle(SmtpConnection connection, long sinceNanos) {}

  private final AtomicInteger connectsOpened = new AtomicInteger();
  private final long budgetNanos;
  private volatile boolean closed;

  EmailSender(SmtpProperties props, SmtpEndpoint endpoint, Clock clock) {
    this.props = props;
    this.endpoint = endpoint;
    this.clock = clock;
    this.protocol =
        !endpoint.capture() && props.tls() == SmtpProperties.Tls.IMPLICIT ? "smtps" : "smtp";
    this.session = Session.getInstance(sessionProperties(props, endpoint, protocol));
    this.permits = new Semaphore(props.maxConnections(), true);
    this.pipelines = props.pipelining() ? null : Boolean.FALSE;
    this.budgetNanos = sendBudget().toNanos();
  }

  /** A sender to the relay that {@code props} names (no capture inbox), outside Spring. */
  public static EmailSender toRelay(SmtpProperties props, Clock clock) {
    return new EmailSender(props, SmtpEndpoint.relay(props), clock);
  }

  /**
   * Sends one email and waits for the server's answer.
   *
   * @return the server's reply to DATA and any recipients it refused while accepting others
   * @throws SmtpSendException when no recipient accepted the message; see its classification
   */
  public SendResult send(Email email) throws SmtpSendException {
    try {
      return send(email, NO_DEADLINE);
    } catch (SendNotStarted e) {
      throw new IllegalStateException("a send without a deadline always starts", e);
    }
  }

  /** {@link #send(Email, long)}'s deadline when there is none. */
  static final long NO_DEADLINE = Long.MAX_VALUE;

  /**
   * The longest a send is expected to take: connect timeout + read timeout + write timeout. A send
   * with a deadline starts only when at least this much is left before it.
   */
  public Duration sendBudget() {
    return props.connectTimeout().plus(props.readTimeout()).plus(props.writeTimeout());
  }

  /**
   * Sends one email that must be over by {@code deadlineNanos} ({@link System#nanoTime()} scale).
   * The dispatcher passes its claim's lease end, so that no message is handed to the relay after
   * its lease.
   *
   * <p>If, once a connection permit is held, less than {@link #sendBudget()} is left, nothing is
   * sent and {@link SendNotStarted} is thrown. A send still running at the deadline is aborted: its
   * connection is closed and the send fails as {@code TIMEOUT}. Only in that rare case, and only
   * when the relay had already taken the whole message, may the relay deliver it after the
   * deadline.
   *
   * @throws SendNotStarted too little time was left; nothing went out
   * @throws SmtpSendException when no recipient accepted the message; see its classification
   */
  public SendResult send(Email email, long deadlineNanos) throws SmtpSendException, SendNotStarted {
    MimeMessage mime;
    Address[] envelope;
    try {
      MimeBuilder.Built built = MimeBuilder.build(session, email, clock);
      mime = built.mime();
      envelope = built.envelope();
    } catch (MessagingException | IllegalArgumentException e) {
      throw SmtpFailures.notBuilt(e);
    }
    if (envelope.length == 0) {
      throw SmtpFailures.noRecipient();
    }
    long startBy = deadlineNanos == NO_DEADLINE ? NO_DEADLINE : deadlineNanos - budgetNanos;
    acquire(startBy);
    SmtpConnection c = null;
    Watchdog dog = null;
    try {
      if (startBy != NO_DEADLINE) {
        if (System.nanoTime() > startBy) {
          throw new SendNotStarted();
        }
        dog = new Watchdog(deadlineNanos);
      }
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
      permits.release();
    }
  }

  /** One send on {@code c}, aborted by {@code dog} (if any) when its deadline passes. */
  private static SendResult transmit(
      SmtpConnection c, Watchdog dog, MimeMessage mime, Address[] envelope)
      throws SmtpSendException {
    if (dog == null) {
      return c.send(mime, envelope);
    }
    dog.watch(c);
    try {
      return c.send(mime, envelope);
    } catch (SmtpSendException e) {
      if (dog.fired()) {
        throw SmtpFailures.abortedAtDeadline();
      }
      throw e;
    } finally {
      dog.watch(null);
    }
  }

  /**
   * Aborts the connection it watches once its deadline has passed. Deadlines are checked by one
   * daemon thread every {@link #WATCHDOG_TICK_MILLIS}: a send only registers and unregisters
   * itself, where a scheduler task per send would wake the scheduler thread for nearly every
   * message. An abort (closing a socket, which for TLS may wait on a lock held by the blocked
   * writer) runs on a thread of its own, so one stuck socket never delays another.
   */
  private static final class Watchdog {
    private final long deadlineNanos;
    private SmtpConnection watched;
    private boolean fired;

    Watchdog(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
      WATCHED.add(this);
    }

    synchronized void watch(SmtpConnection c) {
      watched = c;
      if (fired && c != null) {
        abortAsync(c);
      }
    }

    synchronized boolean fired() {
      return fired;
    }

    private synchronized void fire() {
      fired = true;
      if (watched != null) {
        log.warn("event=smtp_send_aborted reason=deadline");
        abortAsync(watched);
      }
    }

    void cancel() {
      WATCHED.remove(this);
    }
  }

  private static void abortAsync(SmtpConnection c) {
    Thread t = new Thread(c::abort, "ums-smtp-abort");
    t.setDaemon(true);
    t.start();
  }

  /** How often the watchdog thread looks at the running sends' deadlines. */
  static final long WATCHDOG_TICK_MILLIS = 100;

  private static final java.util.Set<Watchdog> WATCHED =
      java.util.concurrent.ConcurrentHashMap.newKeySet();

  static {
    java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "ums-smtp-watchdog");
              t.setDaemon(true);
              return t;
            })
        .scheduleWithFixedDelay(
            EmailSender::fireOverdue,
            WATCHDOG_TICK_MILLIS,
            WATCHDOG_TICK_MILLIS,
            TimeUnit.MILLISECONDS);
  }

  /** Fires, once each, the watchdogs whose deadline has passed. */
  private static void fireOverdue() {
    long now = System.nanoTime();
    for (Watchdog w : WATCHED) {
      if (now - w.deadlineNanos >= 0 && WATCHED.remove(w)) {
        try {
          w.fire();
        } catch (RuntimeException e) {
          // A failed abort must not stop the schedule (an exception would end it).
          log.warn("event=smtp_abort_failed error={}", e.getClass().getSimpleName());
        }
      }
    }
  }

  /** Sends on a connected transport; any exception leaves the transport to be discarded. */
  private static SendResult transmit(SMTPTransport smtp, MimeMessage mime, Address[] envelope)
      throws SmtpSendException {
    try {
      smtp.sendMessage(mime, envelope);
      return new SendResult(SmtpFailures.redact(smtp.getLastServerResponse()), List.of());
    } catch (SendFailedException e) {
      List<SendResult.Refused> refused = refusals(e);
      Address[] sent = e.getValidSentAddresses();
      if (sent != null && sent.length > 0) {
        // sendpartial: DATA was accepted for the valid recipients; the rest are reported.
        return new SendResult(SmtpFailures.redact(smtp.getLastServerResponse()), refused);
      }
      if (e instanceof SMTPSendFailedException f) {
        throw SmtpFailures.replyFailure(f.getCommand(), f.getReturnCode(), f.getMessage(), e);
      }
      if (e instanceof SMTPSenderFailedException f) {
        throw SmtpFailures.replyFailure("MAIL FROM", f.getReturnCode(), f.getMessage(), e);
      }
      if (!refused.isEmpty()) {
        throw SmtpFailures.everyRecipientRefused(refused);
      }
      throw SmtpFailures.ioFailure("send", smtp.getLastReturnCode(), e);
    } catch (MessagingException e) {
      throw SmtpFailures.ioFailure("send", smtp.getLastReturnCode(), e);
    }
  }

  /** Per-recipient refusals from Jakarta Mail's exception chain. */
  private static List<SendResult.Refused> refusals(MessagingException e) {
    List<SendResult.Refused> out = new ArrayList<>();
    Exception next = e.getNextException();
    int guard = 0;
    while (next != null && guard++ < 10_000) {
      if (next instanceof SMTPAddressFailedException a) {
        out.add(
            new SendResult.Refused(
                a.getAddress().getAddress(),
                a.getReturnCode(),
                SmtpFailures.redact(a.getMessage())));
      }
      next = next instanceof MessagingException m ? m.getNextException() : null;
    }
    return out;
  }

  /** Waits for a connection permit, until {@code startBy} at most. */
  private void acquire(long startBy) throws SmtpSendException, SendNotStarted {
    try {
      if (startBy == NO_DEADLINE) {
        permits.acquire();
      } else if (!permits.tryAcquire(startBy - System.nanoTime(), TimeUnit.NANOSECONDS)) {
        throw new SendNotStarted();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SmtpFailures.interruptedWaitingForConnection();
    }
  }

  /** A connection taken from the pool; {@code unchecked} if reused without a NOOP. */
  private record Reused(SmtpConnection connection, boolean unchecked) {}

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
    SMTPTransport t = connectJakarta();
    Socket socket = NoDelaySocketFactory.takeLast(); // null with implicit TLS
    if (pipelines == null) {
      learn(t);
    }
    return new JakartaConnection(t, socket);
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

  private SMTPTransport connectJakarta() throws SmtpSendException {
    SMTPTransport t = newTransport();
    NoDelaySocketFactory.takeLast();
    try {
      connectsOpened.incrementAndGet();
      t.connect(
          endpoint.host(),
          endpoint.port(),
          endpoint.capture() ? null : props.username(),
          endpoint.capture() ? null : props.password());
      log.debug("event=smtp_connected host={} port={}", endpoint.host(), endpoint.port());
      return t;
    } catch (MessagingException e) {
      closeQuietly(t);
      throw SmtpFailures.ioFailure("connect", t.getLastReturnCode(), e);
    }
  }

  private SMTPTransport newTransport() throws SmtpSendException {
    try {
      return (SMTPTransport) session.getTransport(protocol);
    } catch (MessagingException e) {
      throw SmtpFailures.noTransport(protocol);
    }
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

  private static void closeQuietly(Transport t) {
    try {
      t.close();
    } catch (MessagingException | RuntimeException e) {
      log.debug("event=smtp_close_failed error={}", e.getClass().getSimpleName());
    }
  }

  /** Connections to the relay attempted so far, refused ones included (tests, metrics). */
  public int connectionsOpened() {
    return connectsOpened.get();
  }

  /** Whether new connections pipeline; null while unknown (for tests). */
  Boolean pipelining() {
    return pipelines;
  }

  /** Closes idle connections; connections in use are closed when their send ends. */
  @PreDestroy
  @Override
  public void close() {
    closed = true;
    Idle i;
    while ((i = idle.poll()) != null) {
      discard(i.connection());
    }
  }

  /** The Jakarta Mail path: four client turns per message. Never reused after a failure. */
  private static final class JakartaConnection implements SmtpConnection {

    private final SMTPTransport transport;
    private final Socket socket;

    JakartaConnection(SMTPTransport transport, Socket socket) {
      this.transport = transport;
      this.socket = socket;
    }

    @Override
    public SendResult send(MimeMessage mime, Address[] envelope) throws SmtpSendException {
      return transmit(transport, mime, envelope);
    }

    @Override
    public boolean reusable() {
      return false;
    }

    /** Not known here; assumed, as always, for a connection found dead on its first command. */
    @Override
    public boolean safeToRetry() {
      return true;
    }

    @Override
    public boolean alive() {
      return transport.isConnected(); // NOOP
    }

    @Override
    public void close() {
      closeQuietly(transport);
    }

    /**
     * Closes the plain socket under the transport: {@link SMTPTransport#close()} would wait for the
     * running send. With implicit TLS there is no such socket (it comes from the TLS socket
     * factory), and the send is bounded by its read and write timeouts only.
     */
    @Override
    public void abort() {
      if (socket == null) {
        return;
      }
      try {
        socket.close();
      } catch (java.io.IOException e) {
        // closing anyway
      }
    }
  }

  static Properties sessionProperties(
      SmtpProperties props, SmtpEndpoint endpoint, String protocol) {
    Properties p = new Properties();
    String k = "mail." + protocol + ".";
    p.setProperty("mail.transport.protocol", protocol);
    p.setProperty(k + "host", endpoint.host());
    p.setProperty(k + "port", Integer.toString(endpoint.port()));
    p.setProperty(k + "connectiontimeout", Long.toString(props.connectTimeout().toMillis()));
    p.setProperty(k + "timeout", Long.toString(props.readTimeout().toMillis()));
    p.setProperty(k + "writetimeout", Long.toString(props.writeTimeout().toMillis()));
    p.setProperty(k + "sendpartial", "true");
    p.setProperty(k + "quitwait", "false");
    if (props.heloName() != null && !props.heloName().isBlank()) {
      p.setProperty(k + "localhost", props.heloName());
    }
    if (!"smtps".equals(protocol)) {
      p.put(k + "socketFactory", NoDelaySocketFactory.INSTANCE); // STARTTLS layers on this socket
    }
    if (endpoint.capture()) {
      return p;
    }
    boolean auth = props.username() != null && !props.username().isBlank();
    p.setProperty(k + "auth", Boolean.toString(auth));
    switch (props.tls()) {
      case STARTTLS -> {
        p.setProperty(k + "starttls.enable", "true");
        p.setProperty(k + "starttls.required", "true");
      }
      case IMPLICIT -> p.setProperty(k + "ssl.enable", "true");
      case NONE -> {}
    }
    boolean pinnedTrust = props.sslTrust() != null && !props.sslTrust().isBlank();
    if (pinnedTrust) {
      // The operator vouches for these hosts' certificates, whatever name they carry.
      p.setProperty(k + "ssl.trust", props.sslTrust());
    }
    p.setProperty(k + "ssl.checkserveridentity", Boolean.toString(!pinnedTrust));
    return p;
  }
}
