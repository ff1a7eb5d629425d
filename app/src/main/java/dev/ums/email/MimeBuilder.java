package dev.ums.email;

import jakarta.mail.Address;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimeUtility;
import java.io.UnsupportedEncodingException;
import java.time.Clock;
import java.util.Date;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** Turns an {@link Email} into a MIME message. Built afresh for every send; nothing is cached. */
final class MimeBuilder {

  private static final String UTF_8 = "UTF-8";

  /** Headers the builder owns; a caller-supplied header must not replace them. */
  private static final Set<String> RESERVED =
      Set.of(
          "from",
          "sender",
          "to",
          "cc",
          "bcc",
          "reply-to",
          "subject",
          "date",
          "message-id",
          "mime-version",
          "return-path",
          "received");

  private MimeBuilder() {}

  static MimeMessage build(Session session, Email email, Clock clock) throws MessagingException {
    if (email.messageId() == null || email.messageId().isBlank()) {
      throw new IllegalArgumentException("messageId is required");
    }
    MimeMessage m = new FixedIdMessage(session, email.messageId());
    m.setFrom(mailbox(email.from()));
    m.setRecipients(Message.RecipientType.TO, mailboxes(email.to()));
    if (!email.cc().isEmpty()) {
      m.setRecipients(Message.RecipientType.CC, mailboxes(email.cc()));
    }
    // Bcc is deliberately never a header: those recipients are only in the envelope.
    if (email.replyTo() != null && !email.replyTo().isBlank()) {
      m.setReplyTo(new Address[] {mailbox(email.replyTo())});
    }
    if (email.subject() != null) {
      m.setSubject(email.subject(), UTF_8);
    }
    m.setSentDate(Date.from(clock.instant()));
    for (Map.Entry<String, String> h : email.headers().entrySet()) {
      String name = h.getKey();
      if (name == null
          || RESERVED.contains(name.toLowerCase(Locale.ROOT))
          || name.toLowerCase(Locale.ROOT).startsWith("content-")) {
        throw new IllegalArgumentException("header not allowed");
      }
      m.setHeader(name, encode(name, h.getValue()));
    }
    body(m, email.text(), email.html());
    m.saveChanges();
    return m;
  }

  static Address[] envelope(Email email) throws MessagingException {
    return mailboxes(email.envelopeRecipients());
  }

  private static void body(MimeMessage m, String text, String html) throws MessagingException {
    if (text != null && html != null) {
      MimeBodyPart plain = new MimeBodyPart();
      plain.setText(text, UTF_8, "plain");
      MimeBodyPart rich = new MimeBodyPart();
      rich.setText(html, UTF_8, "html");
      // RFC 2046: alternatives in increasing order of preference, so the plain part first.
      MimeMultipart alt = new MimeMultipart("alternative");
      alt.addBodyPart(plain);
      alt.addBodyPart(rich);
      m.setContent(alt);
    } else if (html != null) {
      m.setText(html, UTF_8, "html");
    } else {
      m.setText(text == null ? "" : text, UTF_8, "plain");
    }
  }

  private static Address[] mailboxes(List<String> values) throws MessagingException {
    Address[] out = new Address[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = mailbox(values.get(i));
    }
    return out;
  }

  /** One mailbox, display name re-encoded as UTF-8 (RFC 2047) when it is not plain ASCII. */
  static InternetAddress mailbox(String value) throws MessagingException {
    InternetAddress a = new InternetAddress(value, true);
    a.validate();
    if (a.getPersonal() == null) {
      return a;
    }
    try {
      return new InternetAddress(a.getAddress(), a.getPersonal(), UTF_8);
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is always supported", e);
    }
  }

  private static String encode(String name, String value) throws MessagingException {
    try {
      return MimeUtility.fold(
          name.length() + 2, MimeUtility.encodeText(value == null ? "" : value, UTF_8, null));
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is always supported", e);
    }
  }

  /** Keeps the caller's Message-ID: Jakarta Mail would otherwise make a new one on save. */
  private static final class FixedIdMessage extends MimeMessage {

    private final String messageId;

    FixedIdMessage(Session session, String messageId) {
      super(session);
      this.messageId = messageId;
    }

    @Override
    protected void updateMessageID() throws MessagingException {
      setHeader("Message-ID", messageId);
    }
  }
}
