package dev.ums.testing;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.util.Arrays;
import java.util.List;

/**
 * One real SMTP server (GreenMail) for the whole test JVM, on a free port. Tests may stop and start
 * it to simulate a relay outage; it comes back on the same port.
 */
public final class TestSmtp {

  private static final int PORT = freePort();
  private static GreenMail server = startNew();

  private TestSmtp() {}

  public static int port() {
    return PORT;
  }

  public static synchronized GreenMail server() {
    return server;
  }

  public static synchronized void stop() {
    server.stop();
  }

  public static synchronized void start() {
    server = startNew();
  }

  public static synchronized void purge() {
    try {
      server.purgeEmailFromAllMailboxes();
    } catch (com.icegreen.greenmail.store.FolderException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Everything received so far (each recipient's copy counts once per recipient). */
  public static List<MimeMessage> received() {
    return Arrays.asList(server().getReceivedMessages());
  }

  public static String messageId(MimeMessage m) {
    try {
      return m.getMessageID();
    } catch (MessagingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static GreenMail startNew() {
    GreenMail g = new GreenMail(new ServerSetup(PORT, "127.0.0.1", ServerSetup.PROTOCOL_SMTP));
    g.start();
    return g;
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
