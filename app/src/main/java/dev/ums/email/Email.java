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
    Map<String, String> headers) {

  public Email {
    to = to == null ? List.of() : List.copyOf(to);
    cc = cc == null ? List.of() : List.copyOf(cc);
    bcc = bcc == null ? List.of() : List.copyOf(bcc);
    headers = headers == null ? Map.of() : Map.copyOf(headers);
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
