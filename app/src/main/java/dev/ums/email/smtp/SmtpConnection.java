package dev.ums.email.smtp;

import dev.ums.email.SendResult;
import dev.ums.email.SmtpSendException;
import jakarta.mail.Address;
import jakarta.mail.internet.MimeMessage;

/**
 * One open connection to the relay, used by one send at a time: a {@link JakartaConnection} or a
 * {@link PipelinedConnection}. {@link SmtpConnectionPool} pools them and decides what to do after a
 * failure from {@link #reusable()} and {@link #safeToRetry()}.
 */
interface SmtpConnection {

  /**
   * Sends one message.
   *
   * @return the reply to the end of DATA, addresses redacted, and the recipients refused while
   *     others were accepted
   * @throws SmtpSendException when no recipient got the message
   */
  SendResult send(MimeMessage mime, Address[] envelope) throws SmtpSendException;

  /**
   * After {@link #send} threw: true when the session is back in a clean state (the transaction was
   * reset) and the connection may serve the next message. False after any I/O error.
   */
  boolean reusable();

  /**
   * After {@link #send} threw: true when no byte of the message body went out, so sending it again
   * on a new connection cannot deliver it twice.
   */
  boolean safeToRetry();

  /** A NOOP round trip: false when the server no longer answers it with 250. */
  boolean alive();

  /** Says QUIT without waiting for the answer and closes; never throws. */
  void close();

  /**
   * Closes the connection at once from another thread while a {@link #send} may be blocked on it;
   * the send then fails with an I/O error. Never throws.
   */
  void abort();
}
