package dev.ums.email;

import dev.ums.email.smtp.SmtpConnectionPool;
import dev.ums.email.smtp.SmtpEndpoint;
import dev.ums.email.smtp.SmtpFailures;
import dev.ums.ledger.DeliveryMode;
import dev.ums.ledger.FailureClass;
import jakarta.mail.MessagingException;
import java.time.Clock;
import java.time.Duration;

/**
 * Hands emails to one SMTP relay (or the embedded capture inbox) over a small pool of open
 * connections ({@link SmtpConnectionPool}). Thread-safe; at most {@code ums.smtp.max-connections}
 * connections are open, and a caller waits when all are busy.
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
 *   <li>With DKIM keys configured ({@link DkimSigner}), a message whose {@code From} domain (or a
 *       parent of it) has a key gets a {@code DKIM-Signature} over the bytes sent, on either way of
 *       speaking SMTP; other messages go unsigned.
 *   <li>A message whose recipients are all on {@value MagicRecipients#DOMAIN} never reaches the
 *       relay: its outcome is simulated ({@link MagicRecipients}).
 *   <li>A {@link DeliveryMode#TEST} message is rendered and signed like any other, then never
 *       reaches any SMTP server: unless magic recipients decide otherwise, it is accepted with
 *       {@link #TEST_MODE_REPLY}, a simulated result.
 *   <li>Nothing is logged that names a recipient, a subject or a body.
 * </ul>
 *
 * <p>The connections, their reuse, the deadline watchdog and the two ways of speaking SMTP (Jakarta
 * Mail, and pipelining when the relay offers it) are {@link SmtpConnectionPool}'s; this class
 * builds the message and decides whether a send may start.
 */
public class EmailSender implements AutoCloseable {

  /** The simulated reply that accepts a test-mode message (no SMTP server was involved). */
  public static final String TEST_MODE_REPLY = "250 2.0.0 captured in test mode, not relayed";

  /** {@link #send(Email, long)}'s deadline when there is none. */
  static final long NO_DEADLINE = SmtpConnectionPool.NO_DEADLINE;

  private final SmtpProperties props;
  private final Clock clock;
  private final SmtpConnectionPool pool;
  private final long budgetNanos;
  private final DkimSigner dkim;

  EmailSender(SmtpProperties props, SmtpEndpoint endpoint, Clock clock) {
    this(props, endpoint, clock, DkimSigner.none());
  }

  EmailSender(SmtpProperties props, SmtpEndpoint endpoint, Clock clock, DkimSigner dkim) {
    this.props = props;
    this.clock = clock;
    this.pool = new SmtpConnectionPool(props, endpoint);
    this.budgetNanos = sendBudget().toNanos();
    this.dkim = dkim;
  }

  /** A sender to the relay that {@code props} names (no capture inbox), outside Spring. */
  public static EmailSender toRelay(SmtpProperties props, Clock clock) {
    return new EmailSender(props, SmtpEndpoint.relay(props), clock);
  }

  /** The same, signing with {@code dkim} where it has a key for the sender's domain. */
  public static EmailSender toRelay(SmtpProperties props, Clock clock, DkimSigner dkim) {
    return new EmailSender(props, SmtpEndpoint.relay(props), clock, dkim);
  }

  private static final jakarta.mail.Session RENDER_SESSION =
      jakarta.mail.Session.getInstance(new java.util.Properties());

  /**
   * The message as it goes on the wire (CRLF line ends, before SMTP dot-stuffing), signed when
   * {@code dkim} has a key for its sender's domain: for tests and the signing benchmark.
   */
  public static byte[] render(Email email, Clock clock, DkimSigner dkim) throws Exception {
    MimeBuilder.Built built =
        MimeBuilder.build(
            jakarta.mail.Session.getInstance(new java.util.Properties()), email, clock);
    if (dkim.enabled()) {
      built = MimeBuilder.sign(built, dkim, clock.instant());
    }
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    org.eclipse.angus.mail.util.CRLFOutputStream crlf =
        new org.eclipse.angus.mail.util.CRLFOutputStream(out);
    built.mime().writeTo(crlf);
    crlf.flush();
    return out.toByteArray();
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
    return send(email, deadlineNanos, DeliveryMode.LIVE);
  }

  /**
   * {@link #send(Email, long)} for a message of {@code mode}: a {@link DeliveryMode#TEST} message
   * is built, signed and judged by its magic recipients exactly as a live one, and then, instead of
   * a relay, accepted with the simulated {@link #TEST_MODE_REPLY}.
   */
  public SendResult send(Email email, long deadlineNanos, DeliveryMode mode)
      throws SmtpSendException, SendNotStarted {
    MimeBuilder.Built built;
    try {
      built = MimeBuilder.build(pool.session(), email, clock);
      if (dkim.enabled()) {
        built = MimeBuilder.sign(built, dkim, clock.instant());
      }
    } catch (MessagingException
        | IllegalArgumentException
        | java.io.IOException
        | java.security.GeneralSecurityException e) {
      throw SmtpFailures.notBuilt(e);
    }
    if (built.envelope().length == 0) {
      throw SmtpFailures.noRecipient();
    }
    SendResult simulated = MagicRecipients.simulate(built.envelope());
    if (simulated != null) {
      return simulated; // never reaches the relay
    }
    if (mode.test()) {
      return new SendResult(TEST_MODE_REPLY, java.util.List.of(), true); // nor does test mode
    }
    long startBy = deadlineNanos == NO_DEADLINE ? NO_DEADLINE : deadlineNanos - budgetNanos;
    try (SmtpConnectionPool.Lease lease = pool.lease(startBy).orElseThrow(SendNotStarted::new)) {
      return lease.send(built.mime(), built.envelope(), deadlineNanos);
    }
  }

  /** Connections to the relay attempted so far, refused ones included (tests, metrics). */
  public int connectionsOpened() {
    return pool.connectionsOpened();
  }

  /** Whether new connections pipeline; null while unknown (for tests). */
  Boolean pipelining() {
    return pool.pipelining();
  }

  /** Closes idle connections; connections in use are closed when their send ends. */
  @Override
  public void close() {
    pool.close();
  }
}
