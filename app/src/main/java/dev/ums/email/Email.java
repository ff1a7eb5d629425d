package dev.ums.email;

import java.util.List;
import java.util.Map;

/**
 * One email ready for SMTP. Addresses are RFC 5322 mailboxes ({@code ann@example.com} or {@code Ann
 * Lee <ann@example.com>}, display names may be UTF-8), already validated upstream (no CR/LF). Every
 * field other than {@code messageId}, {@code from} and {@code to} may be empty or null.
 *
 * @param messageId the {@code Message-ID} header, already formatted ({@code <id@domain>}); it is
 *     sent unchanged so receivers can de-duplicate a message handed over twice
 * @param from the author mailbox, also the envelope sender
 * @param to visible recipients
 * @param cc visible copy recipients
 * @param bcc hidden recipients: envelope only, never a header
 * @param replyTo optional {@code Reply-To} mailbox
 * @param subject optional subject, any Unicode
 * @param text optional plain-text body
 * @param html optional HTML body; with {@code text} the two become {@code multipart/alternative}
 * @param headers extra headers (the {@code X-} kind); structural headers are refused
 * @param attachments files sent with it, already checked upstream (size, type, file name); inline
 *     ones with a content id are shown inside the HTML body ({@code cid:})
 * @param returnPath the envelope sender ({@code MAIL FROM}), a bare address, when it is not the
 *     {@code from} address: the per-message bounce address; null to use {@code from}
 */
public record Email(
    String messageId,
    String from,
    List<String> to,
    List<String> cc,
    List<String> bcc,
    String replyTo,
    String subject,
    String text,
    String html,
    Map<String, String> headers,
    List<Attachment> attachments,
    String returnPath) {

  public Email {
    to = to == null ? List.of() : List.copyOf(to);
    cc = cc == null ? List.of() : List.copyOf(cc);
    bcc = bcc == null ? List.of() : List.copyOf(bcc);
    headers = headers == null ? Map.of() : Map.copyOf(headers);
    attachments = attachments == null ? List.of() : List.copyOf(attachments);
  }

  /** An email whose envelope sender is its {@code from} address. */
  public Email(
      String messageId,
      String from,
      List<String> to,
      List<String> cc,
      List<String> bcc,
      String replyTo,
      String subject,
      String text,
      String html,
      Map<String, String> headers,
      List<Attachment> attachments) {
    this(messageId, from, to, cc, bcc, replyTo, subject, text, html, headers, attachments, null);
  }

  /** An email without attachments. */
  public Email(
      String messageId,
      String from,
      List<String> to,
      List<String> cc,
      List<String> bcc,
      String replyTo,
      String subject,
      String text,
      String html,
      Map<String, String> headers) {
    this(messageId, from, to, cc, bcc, replyTo, subject, text, html, headers, List.of());
  }

  /**
   * One attached file. The content is the decoded bytes, never a string: it is base64-encoded only
   * while the message is written to the relay.
   *
   * @param filename a plain file name (no path, no control characters; any Unicode)
   * @param contentType {@code type/subtype}
   * @param inline shown in the message (with a {@code contentId}, inside the HTML body as {@code
   *     cid:...}) rather than offered as a download
   * @param contentId the {@code Content-ID} without angle brackets, or null
   */
  public record Attachment(
      String filename, String contentType, boolean inline, String contentId, byte[] content) {

    public Attachment {
      if (content == null) {
        throw new IllegalArgumentException("attachment content is required");
      }
    }

    /** Never prints the file name or the content (either may be personal data). */
    @Override
    public String toString() {
      return "Attachment[" + contentType + ", " + content.length + " bytes]";
    }
  }

  /** Envelope recipients: to, cc and bcc, in that order. */
  List<String> envelopeRecipients() {
    return java.util.stream.Stream.of(to, cc, bcc).flatMap(List::stream).toList();
  }

  /** Never prints addresses, subject or bodies, so an accidental log line carries no PII. */
  @Override
  public String toString() {
    return "Email[messageId=" + messageId + ", recipients=" + envelopeRecipients().size() + "]";
  }
}
