package dev.ums.message;

import java.util.List;
import java.util.Map;

/**
 * What is delivered: the validated mail, with {@code from} resolved to the default when the request
 * left it out. Stored as one JSON document in {@code message.content}; personal data (addresses,
 * subject, bodies, headers) lives only here.
 */
public record MailContent(
    String from,
    List<String> to,
    List<String> cc,
    List<String> bcc,
    String replyTo,
    String subject,
    String text,
    String html,
    Map<String, String> headers,
    Map<String, String> metadata) {

  /** Every envelope recipient, in to, cc, bcc order. */
  public List<String> allRecipients() {
    return java.util.stream.Stream.of(to, cc, bcc)
        .filter(java.util.Objects::nonNull)
        .flatMap(List::stream)
        .toList();
  }
}
