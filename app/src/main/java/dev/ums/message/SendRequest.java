package dev.ums.message;

import java.util.List;
import java.util.Map;

/**
 * The JSON body of {@code POST /api/messages}. Addresses are RFC 5322 mailboxes ({@code
 * a@example.com} or {@code Name <a@example.com>}); {@code sendAt} is an ISO-8601 instant, kept as
 * text so a bad value is reported against its field. {@code priority} is {@code high}, {@code
 * normal} or {@code bulk}; when absent, a single message is {@code normal} and a batch's messages
 * are {@code bulk}.
 */
public record SendRequest(
    String from,
    List<String> to,
    List<String> cc,
    List<String> bcc,
    String replyTo,
    String subject,
    String text,
    String html,
    Map<String, String> headers,
    String sendAt,
    Map<String, String> metadata,
    String priority) {

  /** A request without a priority (the endpoint's default applies). */
  public SendRequest(
      String from,
      List<String> to,
      List<String> cc,
      List<String> bcc,
      String replyTo,
      String subject,
      String text,
      String html,
      Map<String, String> headers,
      String sendAt,
      Map<String, String> metadata) {
    this(from, to, cc, bcc, replyTo, subject, text, html, headers, sendAt, metadata, null);
  }
}
