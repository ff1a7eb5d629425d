package dev.ums.message;

import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;

/**
 * Checks one send request and turns it into {@link MailContent}. Every problem is collected (not
 * just the first) so a client can fix them all at once. Header injection is impossible by
 * construction: no value that ends up in a header may hold CR or LF.
 */
final class MessageValidator {

  static final int MAX_SUBJECT_CHARS = 998; // RFC 5322 §2.1.1 line limit
  static final int MAX_HEADER_VALUE_CHARS = 998;
  static final int MAX_ADDRESS_CHARS = 320;
  static final int MAX_CUSTOM_HEADERS = 50;
  static final int MAX_METADATA_PAIRS = 20;
  static final int MAX_METADATA_KEY_CHARS = 64;
  static final int MAX_METADATA_VALUE_CHARS = 256;
  private static final Pattern CUSTOM_HEADER_NAME = Pattern.compile("(?i)X-[A-Za-z0-9-]{1,74}");

  private final IntakeProperties props;

  MessageValidator(IntakeProperties props) {
    this.props = props;
  }

  /** The validated request, or the reasons it is not valid. */
  record Checked(MailContent content, Instant sendAt, List<FieldProblem> errors) {}

  /**
   * @throws ApiProblem 413 when the content is larger than {@code ums.limits.max-message-bytes}
   */
  Checked check(SendRequest r, Instant now) {
    List<FieldProblem> errors = new ArrayList<>();
    if (r == null) {
      errors.add(FieldProblem.of("$", "a message object is required"));
      return new Checked(null, null, errors);
    }
    String from = r.from() == null ? props.mail().defaultFrom() : r.from();
    address("from", from, errors);
    if (r.replyTo() != null) {
      address("replyTo", r.replyTo(), errors);
    }
    if (r.to() == null || r.to().isEmpty()) {
      errors.add(FieldProblem.of("to", "at least one recipient is required"));
    }
    int recipients = addresses("to", r.to(), errors);
    recipients += addresses("cc", r.cc(), errors);
    recipients += addresses("bcc", r.bcc(), errors);
    if (recipients > props.limits().maxRecipients()) {
      errors.add(
          FieldProblem.of(
              "to",
              "too many recipients: "
                  + recipients
                  + " (to + cc + bcc may be at most "
                  + props.limits().maxRecipients()
                  + ")"));
    }
    if (r.subject() != null) {
      if (r.subject().length() > MAX_SUBJECT_CHARS) {
        errors.add(FieldProblem.of("subject", "longer than " + MAX_SUBJECT_CHARS + " characters"));
      }
      noLineBreaks("subject", r.subject(), errors);
    }
    if (r.text() == null && r.html() == null) {
      errors.add(FieldProblem.of("text", "text or html is required"));
    }
    headers(r.headers(), errors);
    metadata(r.metadata(), errors);
    Instant sendAt = sendAt(r.sendAt(), now, errors);

    long bytes = utf8(r.subject()) + utf8(r.text()) + utf8(r.html());
    if (r.headers() != null) {
      for (Map.Entry<String, String> h : r.headers().entrySet()) {
        bytes += utf8(h.getKey()) + utf8(h.getValue());
      }
    }
    if (bytes > props.limits().maxMessageBytes().toBytes()) {
      throw new ApiProblem(
              HttpStatus.CONTENT_TOO_LARGE,
              "too-large",
              "Message too large",
              "subject, bodies and headers take "
                  + bytes
                  + " bytes; the limit is "
                  + props.limits().maxMessageBytes().toBytes())
          .with("limit", props.limits().maxMessageBytes().toBytes());
    }
    if (!errors.isEmpty()) {
      return new Checked(null, null, errors);
    }
    MailContent content =
        new MailContent(
            from,
            List.copyOf(r.to()),
            r.cc() == null ? List.of() : List.copyOf(r.cc()),
            r.bcc() == null ? List.of() : List.copyOf(r.bcc()),
            r.replyTo(),
            r.subject(),
            r.text(),
            r.html(),
            r.headers() == null ? Map.of() : r.headers(),
            r.metadata() == null ? Map.of() : r.metadata());
    return new Checked(content, sendAt, errors);
  }

  private int addresses(String field, List<String> list, List<FieldProblem> errors) {
    if (list == null) {
      return 0;
    }
    for (int i = 0; i < list.size(); i++) {
      address(field + "[" + i + "]", list.get(i), errors);
    }
    return list.size();
  }

  /** Strict RFC 5322 mailbox with a domain; no groups, no line breaks. */
  static void address(String field, String value, List<FieldProblem> errors) {
    if (value == null || value.isBlank()) {
      errors.add(FieldProblem.of(field, "an address is required"));
      return;
    }
    if (hasLineBreak(value)) {
      errors.add(FieldProblem.of(field, "must not contain CR or LF"));
      return;
    }
    if (value.length() > MAX_ADDRESS_CHARS) {
      errors.add(FieldProblem.of(field, "longer than " + MAX_ADDRESS_CHARS + " characters"));
      return;
    }
    try {
      InternetAddress a = new InternetAddress(value, true);
      a.validate();
      String addr = a.getAddress();
      int at = addr.lastIndexOf('@');
      if (a.isGroup() || at < 1 || at == addr.length() - 1) {
        throw new AddressException("not a mailbox");
      }
      String domain = addr.substring(at + 1);
      if (domain.startsWith(".") || domain.endsWith(".") || domain.contains("..")) {
        throw new AddressException("bad domain");
      }
    } catch (AddressException e) {
      errors.add(FieldProblem.of(field, "not a valid RFC 5322 address"));
    }
  }

  private static void headers(Map<String, String> headers, List<FieldProblem> errors) {
    if (headers == null) {
      return;
    }
    if (headers.size() > MAX_CUSTOM_HEADERS) {
      errors.add(FieldProblem.of("headers", "at most " + MAX_CUSTOM_HEADERS + " custom headers"));
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String name = h.getKey();
      String field = "headers." + (hasLineBreak(name) ? "?" : name);
      if (!CUSTOM_HEADER_NAME.matcher(name).matches()) {
        errors.add(FieldProblem.of(field, "only X- header names (letters, digits, '-') allowed"));
      }
      String value = h.getValue();
      if (value == null) {
        errors.add(FieldProblem.of(field, "a value is required"));
      } else {
        noLineBreaks(field, value, errors);
        if (value.length() > MAX_HEADER_VALUE_CHARS) {
          errors.add(
              FieldProblem.of(field, "longer than " + MAX_HEADER_VALUE_CHARS + " characters"));
        }
      }
    }
  }

  private static void metadata(Map<String, String> metadata, List<FieldProblem> errors) {
    if (metadata == null) {
      return;
    }
    if (metadata.size() > MAX_METADATA_PAIRS) {
      errors.add(FieldProblem.of("metadata", "at most " + MAX_METADATA_PAIRS + " pairs"));
    }
    for (Map.Entry<String, String> m : metadata.entrySet()) {
      if (m.getKey().isEmpty() || m.getKey().length() > MAX_METADATA_KEY_CHARS) {
        errors.add(
            FieldProblem.of("metadata", "keys must be 1.." + MAX_METADATA_KEY_CHARS + " chars"));
      }
      if (m.getValue() == null || m.getValue().length() > MAX_METADATA_VALUE_CHARS) {
        errors.add(
            FieldProblem.of(
                "metadata." + m.getKey(),
                "values must be present and at most " + MAX_METADATA_VALUE_CHARS + " chars"));
      }
    }
  }

  private Instant sendAt(String raw, Instant now, List<FieldProblem> errors) {
    if (raw == null) {
      return null;
    }
    Instant at;
    try {
      at = OffsetDateTime.parse(raw).toInstant();
    } catch (DateTimeParseException e) {
      errors.add(FieldProblem.of("sendAt", "not an ISO-8601 instant such as 2030-01-01T09:00:00Z"));
      return null;
    }
    if (at.isAfter(now.plus(props.limits().maxSchedule()))) {
      errors.add(
          FieldProblem.of(
              "sendAt",
              "more than " + props.limits().maxSchedule().toDays() + " days in the future"));
    }
    return at.isAfter(now) ? at : null;
  }

  private static void noLineBreaks(String field, String value, List<FieldProblem> errors) {
    if (hasLineBreak(value)) {
      errors.add(FieldProblem.of(field, "must not contain CR or LF"));
    }
  }

  private static boolean hasLineBreak(String s) {
    return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
  }

  private static long utf8(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
