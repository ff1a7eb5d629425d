package dev.ums.message;

import java.util.List;
import java.util.Map;

/**
 * The JSON body of {@code POST /api/messages}. Addresses are RFC 5322 mailboxes ({@code
 * a@example.com} or {@code Name <a@example.com>}); {@code sendAt} is an ISO-8601 instant, kept as
 * text so a bad value is reported against its field. {@code priority} is {@code high}, {@code
 * normal} or {@code bulk}; when absent, a single message is {@code normal} and a batch's messages
 * are {@code bulk}.
 *
 * @param template a stored template to render instead of {@code subject}, {@code text} and {@code
 *     html} (giving both is refused)
 * @param attachments files to attach; their content arrives as base64 and is decoded to bytes by
 *     the JSON reader
 * @param tags {@code name: value} pairs stored in the clear, for filtering (never personal data)
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
    TemplateRef template,
    List<AttachmentRequest> attachments,
    Map<String, String> tags,
    String priority) {

  /** A request without a template, attachments, tags or priority. */
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
    this(
        from, to, cc, bcc, replyTo, subject, text, html, headers, sendAt, metadata, null, null,
        null, null);
  }

  /**
   * Which template to render, and with what.
   *
   * @param version a version number; null: the newest version that is not retired
   * @param variables the values the template's tags name (personal data: they end up only in the
   *     sealed message content, as the rendered text)
   */
  public record TemplateRef(String name, Integer version, Map<String, Object> variables) {

    /** Never prints the variables. */
    @Override
    public String toString() {
      return "TemplateRef[" + name + " v" + version + "]";
    }
  }

  /**
   * One file to attach.
   *
   * @param content the file's bytes (base64 in the JSON)
   * @param contentId for an inline part referenced from the HTML as {@code cid:<contentId>}
   * @param disposition {@code attachment} (the default) or {@code inline}
   */
  public record AttachmentRequest(
      String filename, String contentType, byte[] content, String contentId, String disposition) {

    /** Never prints the file name or the content. */
    @Override
    public String toString() {
      return "AttachmentRequest[" + contentType + "]";
    }
  }
}
