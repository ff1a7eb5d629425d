package dev.ums.email.smtp;

import dev.ums.email.SendResult;
import dev.ums.email.SmtpSendException;
import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.SendFailedException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.eclipse.angus.mail.smtp.SMTPAddressFailedException;
import org.eclipse.angus.mail.smtp.SMTPSendFailedException;
import org.eclipse.angus.mail.smtp.SMTPSenderFailedException;
import org.eclipse.angus.mail.smtp.SMTPTransport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Jakarta Mail path: four client turns per message. Never reused after a failure. Failures are
 * classified by {@link SmtpFailures} from the exception chain Jakarta Mail raises.
 */
final class JakartaConnection implements SmtpConnection {

  private static final Logger log = LoggerFactory.getLogger(JakartaConnection.class);

  private final SMTPTransport transport;
  private final Socket socket;

  private JakartaConnection(SMTPTransport transport, Socket socket) {
    this.transport = transport;
    this.socket = socket;
  }

  /** A new, unconnected transport for {@code protocol} ({@code smtp} or {@code smtps}). */
  static SMTPTransport transport(Session session, String protocol) throws SmtpSendException {
    try {
      return (SMTPTransport) session.getTransport(protocol);
    } catch (MessagingException e) {
      throw SmtpFailures.noTransport(protocol);
    }
  }

  /**
   * Connects {@code t}: greeting, EHLO, STARTTLS and AUTH as its session says.
   *
   * @param username AUTH user, or null for no AUTH
   * @throws SmtpSendException the connect failed; the transport is closed
   */
  static JakartaConnection connect(
      SMTPTransport t, SmtpEndpoint endpoint, String username, String password)
      throws SmtpSendException {
    NoDelaySocketFactory.takeLast(); // forget a socket an earlier failed connect left behind
    try {
      t.connect(endpoint.host(), endpoint.port(), username, password);
    } catch (MessagingException e) {
      closeQuietly(t);
      throw SmtpFailures.ioFailure("connect", t.getLastReturnCode(), e);
    }
    return new JakartaConnection(t, NoDelaySocketFactory.takeLast()); // null with implicit TLS
  }

  /** The connected transport, whose EHLO reply tells what the relay offers. */
  SMTPTransport transport() {
    return transport;
  }

  /** Sends on the connected transport; any exception leaves it to be discarded. */
  @Override
  public SendResult send(MimeMessage mime, Address[] envelope) throws SmtpSendException {
    try {
      transport.sendMessage(mime, envelope);
      return new SendResult(SmtpFailures.redact(transport.getLastServerResponse()), List.of());
    } catch (SendFailedException e) {
      List<SendResult.Refused> refused = refusals(e);
      Address[] sent = e.getValidSentAddresses();
      if (sent != null && sent.length > 0) {
        // sendpartial: DATA was accepted for the valid recipients; the rest are reported.
        return new SendResult(SmtpFailures.redact(transport.getLastServerResponse()), refused);
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
      throw SmtpFailures.ioFailure("send", transport.getLastReturnCode(), e);
    } catch (MessagingException e) {
      throw SmtpFailures.ioFailure("send", transport.getLastReturnCode(), e);
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
   * running send. With implicit TLS there is no such socket (it comes from the TLS socket factory),
   * and the send is bounded by its read and write timeouts only.
   */
  @Override
  public void abort() {
    if (socket == null) {
      return;
    }
    try {
      socket.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  private static void closeQuietly(Transport t) {
    try {
      t.close();
    } catch (MessagingException | RuntimeException e) {
      log.debug("event=smtp_close_failed error={}", e.getClass().getSimpleName());
    }
  }
}
