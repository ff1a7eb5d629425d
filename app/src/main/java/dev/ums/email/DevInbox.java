package dev.ums.email;

import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.internet.MimeMessage;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The embedded capture inbox: an in-process GreenMail SMTP server on the loopback interface that
 * keeps every mail it receives in memory. Used when no relay is configured, so the service runs and
 * can be looked at with no mail server; nothing it receives is delivered anywhere. Mail is kept
 * until the process stops, so it is for development and demos, not for volume.
 */
final class DevInbox implements AutoCloseable {

  static final String HOST = "127.0.0.1";

  private static final Logger log = LoggerFactory.getLogger(DevInbox.class);

  private final GreenMail greenMail;

  private DevInbox(GreenMail greenMail) {
    this.greenMail = greenMail;
  }

  /** Starts the server on {@code port} (0: any free port) and returns once it accepts mail. */
  static DevInbox start(int port) {
    ServerSetup setup = new ServerSetup(port, HOST, ServerSetup.PROTOCOL_SMTP);
    if (port == 0) {
      setup = setup.dynamicPort();
    }
    GreenMail gm = new GreenMail(setup);
    gm.start();
    DevInbox inbox = new DevInbox(gm);
    log.info("event=dev_inbox_started port={}", inbox.port());
    log.warn(
        "event=smtp_relay_missing detail=\"ums.smtp.host is not set: mail is captured by the"
            + " embedded inbox (GET /api/dev/inbox) and not delivered\"");
    return inbox;
  }

  int port() {
    return greenMail.getSmtp().getPort();
  }

  /**
   * Captured mail, newest first, one entry per message however many recipients it had.
   *
   * @param limit at most this many entries
   */
  List<Captured> list(int limit) {
    List<StoredMessage> all =
        new ArrayList<>(greenMail.getManagers().getImapHostManager().getAllMessages());
    all.sort(
        Comparator.comparing(StoredMessage::getReceivedDate)
            .thenComparing(StoredMessage::getUid)
            .reversed());
    List<Captured> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (StoredMessage s : all) {
      if (out.size() >= limit) {
        break;
      }
      try {
        MimeMessage m = s.getMimeMessage();
        String id = m.getMessageID();
        // GreenMail stores one copy per recipient mailbox; show the message once.
        if (id != null && !seen.add(id)) {
          continue;
        }
        out.add(
            new Captured(
                id,
                first(m.getFrom()),
                all(m.getRecipients(Message.RecipientType.TO)),
                m.getSubject(),
                s.getReceivedDate().toInstant()));
      } catch (MessagingException e) {
        log.debug("event=dev_inbox_unreadable error={}", e.getClass().getSimpleName());
      }
    }
    return out;
  }

  private static String first(Address[] a) {
    return a == null || a.length == 0 ? null : a[0].toString();
  }

  private static List<String> all(Address[] a) {
    return a == null ? List.of() : Arrays.stream(a).map(Address::toString).toList();
  }

  @Override
  public void close() {
    greenMail.stop();
    log.info("event=dev_inbox_stopped");
  }

  /** One captured mail as the dev inbox endpoint shows it. */
  record Captured(
      String messageId, String from, List<String> to, String subject, Instant receivedAt) {}
}
