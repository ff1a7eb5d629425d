package dev.ums.bench;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.MimeMessage;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The email-sending body of the peers' tasks: the same session and message as {@link
 * RawSmtp#jakartaMail} (so sizes, headers and SMTP turns match), and, as there, one connected
 * {@link Transport} per worker thread, reused for every email that thread sends. The peers run at
 * most {@code max} worker threads, so at most {@code max} connections are open; a send that fails
 * closes its thread's Transport (the next send reconnects) and rethrows, so the library's own retry
 * applies.
 */
final class PeerMail implements AutoCloseable {

  private final Session session;
  private final int max;
  private final ThreadLocal<Transport> mine = new ThreadLocal<>();
  private final Set<Transport> open = ConcurrentHashMap.newKeySet();

  PeerMail(int port, int max) {
    this.session = RawSmtp.session(port);
    this.max = max;
  }

  /** Sends email number {@code i} with {@code Message-ID: <id@raw.bench>}. */
  void send(int i, String id) throws MessagingException {
    Transport t = mine.get();
    if (t == null) {
      if (open.size() >= max) {
        throw new IllegalStateException("more than " + max + " SMTP connections");
      }
      t = session.getTransport("smtp");
      t.connect();
      open.add(t);
      mine.set(t);
    }
    MimeMessage m = RawSmtp.message(session, i, id);
    try {
      t.sendMessage(m, m.getAllRecipients());
    } catch (MessagingException | RuntimeException e) {
      mine.remove();
      open.remove(t);
      quietlyClose(t);
      throw e;
    }
  }

  @Override
  public void close() {
    open.forEach(PeerMail::quietlyClose);
    open.clear();
  }

  private static void quietlyClose(Transport t) {
    try {
      t.close();
    } catch (MessagingException e) {
      // the connection is gone either way
    }
  }
}
