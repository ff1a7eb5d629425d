package dev.ums.message;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * What is delivered: the validated mail, with {@code from} resolved to the default when the request
 * left it out and a template already rendered into {@code subject}, {@code text} and {@code html}.
 * Stored as one JSON document in {@code message.content}, sealed; personal data (addresses,
 * subject, bodies, headers, attachments) lives only here. Documents written before attachments and
 * templates existed read with both null.
 *
 * @param attachments the files, each with its decoded bytes (base64 in the stored JSON)
 * @param template which template version the text was rendered from (its variables are not kept:
 *     they are in the rendered text)
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
    Map<String, String> metadata,
    @JsonInclude(JsonInclude.Include.NON_EMPTY) List<Attachment> attachments,
    @JsonInclude(JsonInclude.Include.NON_NULL) TemplateUsed template) {

  /** Every envelope recipient, in to, cc, bcc order. */
  public List<String> allRecipients() {
    return java.util.stream.Stream.of(to, cc, bcc)
        .filter(java.util.Objects::nonNull)
        .flatMap(List::stream)
        .toList();
  }

  /** This content, noting the template version it was rendered from. */
  MailContent withTemplate(TemplateUsed used) {
    return new MailContent(
        from, to, cc, bcc, replyTo, subject, text, html, headers, metadata, attachments, used);
  }

  /** The attachments; empty (never null) for documents that have none. */
  public List<Attachment> attachmentList() {
    return attachments == null ? List.of() : attachments;
  }

  /**
   * One attached file, as checked at intake.
   *
   * @param filename the sanitised file name
   * @param disposition {@code attachment} or {@code inline}
   * @param contentId the {@code Content-ID} without angle brackets, or null
   */
  public record Attachment(
      String filename, String contentType, String disposition, String contentId, byte[] content) {

    public boolean inline() {
      return "inline".equals(disposition);
    }

    /** Never prints the file name or the content. */
    @Override
    public String toString() {
      return "Attachment["
          + contentType
          + ", "
          + (content == null ? 0 : content.length)
          + " bytes]";
    }
  }

  /** The template version a message was rendered from. */
  public record TemplateUsed(String name, int version) {}
}
