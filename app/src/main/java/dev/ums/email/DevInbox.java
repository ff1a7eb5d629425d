package dev.ums.email;

import com.icegreen.greenmail.imap.ImapHostManager;
import com.icegreen.greenmail.mail.MovingMessage;
import com.icegreen.greenmail.store.FolderException;
import com.icegreen.greenmail.store.MailFolder;
import com.icegreen.greenmail.store.StoredMessage;
import com.icegreen.greenmail.user.GreenMailUser;
import com.icegreen.greenmail.user.MessageDeliveryHandler;
import com.icegreen.greenmail.user.UserException;
import com.icegreen.greenmail.user.UserManager;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import dev.ums.email.smtp.SmtpEndpoint;
import jakarta.mail.Address;
import jakarta.mail.Flags;
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
 * can be looked at with no mail server; nothing it receives is delivered anywhere. It keeps at most
 * {@code ums.dev-inbox.max-messages} stored copies (GreenMail stores one per recipient) and {@code
 * ums.dev-inbox.max-bytes} of them: after each delivery the oldest copies beyond either cap are
 * deleted. It is for development and demos, not for volume.
 */
public final class DevInbox implements AutoCloseable {

  static final String HOST = "127.0.0.1";

  private static final Logger log = LoggerFactory.getLogger(DevInbox.class);

  private final GreenMail greenMail;
  private final int maxMessages;
  private final long maxBytes;

  private DevInbox(GreenMail greenMail, DevInboxProperties props) {
    this.greenMail = greenMail;
    this.maxMessages = props.maxMessages();
    this.maxBytes = props.maxBytes().toBytes();
  }

  /**
   * Starts the server on {@code props.port()} (0: any free port) and returns once it accepts mail.
   */
  static DevInbox start(DevInboxProperties props) {
    ServerSetup setup = new ServerSetup(props.port(), HOST, ServerSetup.PROTOCOL_SMTP);
    if (props.port() == 0) {
      setup = setup.dynamicPort();
    }
    GreenMail gm = new GreenMail(setup);
    gm.start();
    DevInbox inbox = new DevInbox(gm, props);
    UserManager users = gm.getUserManager();
    MessageDeliveryHandler deliver = users.getMessageDeliveryHandler();
    users.setMessageDeliveryHandler(
        (message, address) -> inbox.new TrimmingUser(deliver.handle(message, address)));
    log.info("event=dev_inbox_started port={}", inbox.port());
    log.warn(
        "event=smtp_relay_missing detail=\"ums.smtp.host is not set: mail is captured by the"
            + " embedded inbox (GET /api/dev/inbox) and not delivered\"");
    return inbox;
  }

  public int port() {
    return greenMail.getSmtp().getPort();
  }

  /** Where the sender reaches this inbox: plain SMTP, no AUTH, no TLS. */
  SmtpEndpoint endpoint() {
    return SmtpEndpoint.capture(HOST, port());
  }

  /**
   * Captured mail, newest first, one entry per message however many recipients it had.
   *
   * @param limit at most this many entries
   */
  public List<Captured> list(int limit) {
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

  /** Stored copies and their total size now. */
  synchronized long[] usage() {
    long bytes = 0;
    List<Copy> copies = copies();
    for (Copy c : copies) {
      bytes += c.bytes();
    }
    return new long[] {copies.size(), bytes};
  }

  private record Copy(MailFolder folder, StoredMessage message, long bytes) {}

  private List<Copy> copies() {
    ImapHostManager imap = greenMail.getManagers().getImapHostManager();
    List<Copy> out = new ArrayList<>();
    for (GreenMailUser u : greenMail.getUserManager().listUser()) {
      try {
        MailFolder inbox = imap.getInbox(u);
        for (StoredMessage m : inbox.getMessages()) {
          out.add(new Copy(inbox, m, m.getAttributes().getSize()));
        }
      } catch (FolderException e) {
        log.debug("event=dev_inbox_unreadable error={}", e.getClass().getSimpleName());
      }
    }
    return out;
  }

  /** Deletes the oldest copies until both caps hold. */
  private synchronized void trim() {
    List<Copy> copies = copies();
    long bytes = 0;
    for (Copy c : copies) {
      bytes += c.bytes();
    }
    if (copies.size() <= maxMessages && bytes <= maxBytes) {
      return;
    }
    copies.sort(
        Comparator.comparing((Copy c) -> c.message().getReceivedDate())
            .thenComparingLong(c -> c.message().getUid()));
    Set<MailFolder> touched = new HashSet<>();
    int count = copies.size();
    Flags deleted = new Flags(Flags.Flag.DELETED);
    for (Copy c : copies) {
      if (count <= maxMessages && bytes <= maxBytes) {
        break;
      }
      try {
        c.folder().setFlags(deleted, true, c.message().getUid(), null, false);
        touched.add(c.folder());
        count--;
        bytes -= c.bytes();
      } catch (FolderException e) {
        log.debug("event=dev_inbox_trim_failed error={}", e.getClass().getSimpleName());
      }
    }
    for (MailFolder f : touched) {
      try {
        f.expunge();
      } catch (FolderException e) {
        log.debug("event=dev_inbox_trim_failed error={}", e.getClass().getSimpleName());
      }
    }
  }

  /** A mailbox owner whose deliveries trim the inbox to its caps once stored. */
  private final class TrimmingUser implements GreenMailUser {
    private final GreenMailUser user;

    TrimmingUser(GreenMailUser user) {
      this.user = user;
    }

    @Override
    public void deliver(MovingMessage message) {
      user.deliver(message);
      trim();
    }

    @Override
    public void deliver(MimeMessage message) {
      user.deliver(message);
      trim();
    }

    @Override
    public String getEmail() {
      return user.getEmail();
    }

    @Override
    public String getLogin() {
      return user.getLogin();
    }

    @Override
    public void create() {
      user.create();
    }

    @Override
    public void delete() {
      user.delete();
    }

    @Override
    public String getPassword() {
      return user.getPassword();
    }

    @Override
    public void setPassword(String password) {
      user.setPassword(password);
    }

    @Override
    public void authenticate(String password) throws UserException {
      user.authenticate(password);
    }

    @Override
    public String getQualifiedMailboxName() {
      return user.getQualifiedMailboxName();
    }
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

  /**
   * One captured mail in full: its headers in order, and its first text/plain and text/html parts
   * (null when it has none). Empty if no stored copy has that {@code Message-ID}.
   */
  public java.util.Optional<CapturedMail> open(String messageId) {
    for (StoredMessage s : greenMail.getManagers().getImapHostManager().getAllMessages()) {
      try {
        MimeMessage m = s.getMimeMessage();
        if (messageId == null || !messageId.equals(m.getMessageID())) {
          continue;
        }
        List<Header> headers = new ArrayList<>();
        for (var e = m.getAllHeaders(); e.hasMoreElements(); ) {
          jakarta.mail.Header h = e.nextElement();
          headers.add(new Header(h.getName(), h.getValue()));
        }
        String[] bodies = new String[2];
        collect(m, bodies);
        return java.util.Optional.of(
            new CapturedMail(
                new Captured(
                    m.getMessageID(),
                    first(m.getFrom()),
                    all(m.getRecipients(Message.RecipientType.TO)),
                    m.getSubject(),
                    s.getReceivedDate().toInstant()),
                headers,
                bodies[0],
                bodies[1]));
      } catch (MessagingException | java.io.IOException e) {
        log.debug("event=dev_inbox_unreadable error={}", e.getClass().getSimpleName());
      }
    }
    return java.util.Optional.empty();
  }

  /** Fills bodies[0] with the first text/plain part and bodies[1] with the first text/html. */
  private static void collect(jakarta.mail.Part part, String[] bodies)
      throws MessagingException, java.io.IOException {
    if (part.isMimeType("text/plain") && bodies[0] == null) {
      bodies[0] = String.valueOf(part.getContent());
    } else if (part.isMimeType("text/html") && bodies[1] == null) {
      bodies[1] = String.valueOf(part.getContent());
    } else if (part.isMimeType("multipart/*")
        && part.getContent() instanceof jakarta.mail.Multipart mp) {
      for (int i = 0; i < mp.getCount(); i++) {
        collect(mp.getBodyPart(i), bodies);
      }
    }
  }

  /** One header line of a captured mail, unfolded as the parser gives it. */
  public record Header(String name, String value) {}

  /** A captured mail with its headers and bodies. */
  public record CapturedMail(Captured summary, List<Header> headers, String text, String html) {}

  /** One captured mail as the dev inbox endpoint shows it. */
  public record Captured(
      String messageId, String from, List<String> to, String subject, Instant receivedAt) {}
}
