package dev.ums.message;

import dev.ums.sender.AllowedSenders;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import jakarta.mail.internet.AddressException;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.internet.ParseException;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;

/**
 * Checks one send request and turns it into {@link MailContent}. Every problem is collected (not
 * just the first) so a client can fix them all at once. Header injection is impossible by
 * construction: no value that ends up in a header may hold CR, LF or another control character,
 * neither as it is nor inside an RFC 2047 encoded word ({@code =?utf-8?B?...?=}) that a receiver
 * would decode.
 *
 * <p>Addresses are stricter than RFC 5322 allows, because the address part reaches the relay's
 * {@code RCPT TO}/{@code MAIL FROM} verbatim: ASCII only (SMTPUTF8 is not supported), a dot-atom
 * local part (no quoted local parts), a host-name domain (no address literals), no source routes.
 */
final class MessageValidator {

  static final int MAX_SUBJECT_CHARS = 998; // RFC 5322 §2.1.1 line limit
  static final int MAX_HEADER_VALUE_CHARS = 998;
  static final int MAX_ADDRESS_CHARS = 320;
  static final int MAX_CUSTOM_HEADERS = 50;
  static final int MAX_METADATA_PAIRS = 20;
  static final int MAX_METADATA_KEY_CHARS = 64;
  static final int MAX_METADATA_VALUE_CHARS = 256;
  static final int MAX_LOCAL_PART_CHARS = 64; // RFC 5321 §4.5.3.1.1
  private static final Pattern CUSTOM_HEADER_NAME = Pattern.compile("(?i)X-[A-Za-z0-9-]{1,74}");

  static final int MAX_ATTACHMENTS = 50;
  static final int MAX_FILENAME_CHARS = 255;
  static final int MAX_TAGS = 10;
  static final int MAX_TAG_VALUE_CHARS = 64;
  static final Pattern TAG_NAME = Pattern.compile("[a-z0-9_-]{1,32}");

  /** RFC 6838 §4.2 type and subtype names; no parameters. */
  private static final Pattern CONTENT_TYPE =
      Pattern.compile("[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}");

  /** What a Content-ID may hold between its angle brackets here: dot-atom text and {@code @}. */
  private static final Pattern CONTENT_ID =
      Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~.@-]{1,128}");

  /** RFC 5322 dot-atom of atext: what a local part may be here. */
  private static final Pattern LOCAL_PART =
      Pattern.compile("[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*");

  /** A DNS host name: LDH labels of 1..63 characters. */
  private static final Pattern HOST_NAME =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*");

  /** An RFC 2047 encoded word, wherever it stands (lenient receivers decode them anywhere). */
  private static final Pattern ENCODED_WORD =
      Pattern.compile("=\\?[^?\\s]+\\?[bBqQ]\\?[^?\\s]*\\?=");

  private final MailProperties mail;
  private final LimitsProperties limits;

  MessageValidator(MailProperties mail, LimitsProperties limits) {
    this.mail = mail;
    this.limits = limits;
  }

  /**
   * The validated request, or the reasons it is not valid: {@code errors} (malformed, 400) or, for
   * a well-formed request, {@code refused} (a sender the client may not use, 422).
   */
  record Checked(
      MailContent content,
      Instant sendAt,
      List<FieldProblem> errors,
      List<FieldProblem> refused,
      List<FieldProblem> refusedFiles,
      String[] tags) {

    Checked(MailContent content, Instant sendAt, List<FieldProblem> errors) {
      this(content, sendAt, errors, List.of(), List.of(), null);
    }

    Checked(
        MailContent content,
        Instant sendAt,
        List<FieldProblem> errors,
        List<FieldProblem> refused) {
      this(content, sendAt, errors, refused, List.of(), null);
    }

    boolean ok() {
      return errors.isEmpty() && refused.isEmpty() && refusedFiles.isEmpty();
    }
  }

  /**
   * @param senders the domains this caller may use in {@code from} and {@code replyTo}
   * @throws ApiProblem 413 when the content is larger than {@code ums.limits.max-message-bytes}
   */
  Checked check(SendRequest r, Instant now, AllowedSenders senders) {
    List<FieldProblem> errors = new ArrayList<>();
    if (r == null) {
      errors.add(FieldProblem.of("$", "a message object is required"));
      return new Checked(null, null, errors);
    }
    String from = r.from() == null ? mail.defaultFrom() : r.from();
    InternetAddress fromAddress = address("from", from, errors);
    InternetAddress replyToAddress = null;
    if (r.replyTo() != null) {
      replyToAddress = address("replyTo", r.replyTo(), errors);
    }
    if (r.to() == null || r.to().isEmpty()) {
      errors.add(FieldProblem.of("to", "at least one recipient is required"));
    }
    int recipients = addresses("to", r.to(), errors);
    recipients += addresses("cc", r.cc(), errors);
    recipients += addresses("bcc", r.bcc(), errors);
    if (recipients > limits.maxRecipients()) {
      errors.add(
          FieldProblem.of(
              "to",
              "too many recipients: "
                  + recipients
                  + " (to + cc + bcc may be at most "
                  + limits.maxRecipients()
                  + ")"));
    }
    if (r.subject() != null) {
      if (r.subject().length() > MAX_SUBJECT_CHARS) {
        errors.add(FieldProblem.of("subject", "longer than " + MAX_SUBJECT_CHARS + " characters"));
      }
      headerText("subject", r.subject(), errors);
    }
    if (r.text() == null && r.html() == null) {
      errors.add(FieldProblem.of("text", "text or html is required"));
    }
    headers(r.headers(), errors);
    metadata(r.metadata(), errors);
    String[] tags = tags(r.tags(), errors);
    Instant sendAt = sendAt(r.sendAt(), now, errors);
    if (r.priority() != null && dev.ums.ledger.Priority.parse(r.priority()) == null) {
      errors.add(FieldProblem.of("priority", "one of high, normal, bulk"));
    }
    List<FieldProblem> refusedFiles = new ArrayList<>();
    List<MailContent.Attachment> attachments = attachments(r.attachments(), errors, refusedFiles);

    long bytes = utf8(r.subject()) + utf8(r.text()) + utf8(r.html());
    if (r.headers() != null) {
      for (Map.Entry<String, String> h : r.headers().entrySet()) {
        bytes += utf8(h.getKey()) + utf8(h.getValue());
      }
    }
    if (bytes > limits.maxMessageBytes().toBytes()) {
      throw new ApiProblem(
              HttpStatus.CONTENT_TOO_LARGE,
              "too-large",
              "Message too large",
              "subject, bodies and headers take "
                  + bytes
                  + " bytes; the limit is "
                  + limits.maxMessageBytes().toBytes())
          .with("limit", limits.maxMessageBytes().toBytes());
    }
    if (!errors.isEmpty()) {
      return new Checked(null, null, errors);
    }
    List<FieldProblem> refused = new ArrayList<>();
    if (r.from() != null) {
      sender("from", fromAddress, senders, refused);
    }
    if (replyToAddress != null) {
      sender("replyTo", replyToAddress, senders, refused);
    }
    if (!refused.isEmpty() || !refusedFiles.isEmpty()) {
      return new Checked(null, null, errors, refused, refusedFiles, null);
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
            r.metadata() == null ? Map.of() : r.metadata(),
            attachments.isEmpty() ? null : attachments,
            null);
    return new Checked(content, sendAt, errors, List.of(), List.of(), tags);
  }

  /**
   * Checks the attachments and returns them with sanitised file names. Malformed ones are {@code
   * errors} (400); a type on the refused lists is a {@code refusedFiles} entry (422).
   *
   * @throws ApiProblem 413 when their decoded bytes together exceed {@code
   *     ums.limits.max-attachment-bytes}
   */
  private List<MailContent.Attachment> attachments(
      List<SendRequest.AttachmentRequest> list,
      List<FieldProblem> errors,
      List<FieldProblem> refusedFiles) {
    if (list == null || list.isEmpty()) {
      return List.of();
    }
    if (list.size() > MAX_ATTACHMENTS) {
      errors.add(FieldProblem.of("attachments", "at most " + MAX_ATTACHMENTS + " attachments"));
      return List.of();
    }
    long total = 0;
    for (SendRequest.AttachmentRequest a : list) {
      total += a == null || a.content() == null ? 0 : a.content().length;
    }
    long max = limits.maxAttachmentBytes().toBytes();
    if (total > max) {
      throw new ApiProblem(
              HttpStatus.CONTENT_TOO_LARGE,
              "too-large",
              "Attachments too large",
              "attachments take " + total + " bytes; the limit is " + max)
          .with("limit", max);
    }
    List<MailContent.Attachment> out = new ArrayList<>(list.size());
    java.util.Set<String> contentIds = new java.util.HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String field = "attachments[" + i + "]";
      SendRequest.AttachmentRequest a = list.get(i);
      if (a == null) {
        errors.add(FieldProblem.of(field, "an attachment object is required"));
        continue;
      }
      int before = errors.size();
      if (a.content() == null) {
        errors.add(FieldProblem.of(field + ".content", "the file's bytes, base64, are required"));
      }
      String filename = null;
      if (a.filename() == null || a.filename().isBlank()) {
        errors.add(FieldProblem.of(field + ".filename", "a file name is required"));
      } else {
        filename = sanitizeFilename(a.filename());
        if (filename.length() > MAX_FILENAME_CHARS) {
          errors.add(
              FieldProblem.of(
                  field + ".filename", "longer than " + MAX_FILENAME_CHARS + " characters"));
        }
      }
      String type =
          a.contentType() == null
              ? "application/octet-stream"
              : a.contentType().strip().toLowerCase(Locale.ROOT);
      if (!CONTENT_TYPE.matcher(type).matches()) {
        errors.add(
            FieldProblem.of(
                field + ".contentType", "must be a media type such as application/pdf"));
      } else if (type.startsWith("multipart/") || type.startsWith("message/")) {
        errors.add(
            FieldProblem.of(
                field + ".contentType", "multipart and message types cannot be attached"));
      }
      String disposition = a.disposition() == null ? "attachment" : a.disposition();
      if (!disposition.equals("attachment") && !disposition.equals("inline")) {
        errors.add(FieldProblem.of(field + ".disposition", "must be attachment or inline"));
      }
      if (a.contentId() != null) {
        if (!CONTENT_ID.matcher(a.contentId()).matches()) {
          errors.add(
              FieldProblem.of(
                  field + ".contentId",
                  "1..128 letters, digits or !#$%&'*+/=?^_`{|}~.@- (no angle brackets)"));
        } else if (!contentIds.add(a.contentId())) {
          errors.add(FieldProblem.of(field + ".contentId", "used by another attachment"));
        }
      }
      if (errors.size() > before) {
        continue;
      }
      String extension = extension(filename);
      if (extension != null && limits.refusedAttachmentExtensions().contains(extension)) {
        refusedFiles.add(
            FieldProblem.of(
                field + ".filename", "files of type ." + extension + " are not accepted"));
      } else if (limits.refusedAttachmentTypes().contains(type)) {
        refusedFiles.add(FieldProblem.of(field + ".contentType", type + " files are not accepted"));
      }
      out.add(new MailContent.Attachment(filename, type, disposition, a.contentId(), a.content()));
    }
    return out;
  }

  /**
   * A file name safe to put in a MIME header and to save: only its last path segment, without
   * control, format (bidirectional overrides, zero-width) or line-separator characters, with
   * characters that Windows refuses in names ({@code "*:<>?|}) as {@code _}, without trailing dots
   * and spaces (Windows drops them, so {@code evil.exe.} would be {@code evil.exe}),
   * NFC-normalised. What is left empty becomes {@code attachment}.
   */
  static String sanitizeFilename(String raw) {
    String s = raw;
    int cut = Math.max(s.lastIndexOf('/'), s.lastIndexOf('\\'));
    if (cut >= 0) {
      s = s.substring(cut + 1);
    }
    StringBuilder b = new StringBuilder(s.length());
    s.codePoints()
        .forEach(
            cp -> {
              int type = Character.getType(cp);
              if (Character.isISOControl(cp)
                  || type == Character.FORMAT
                  || type == Character.LINE_SEPARATOR
                  || type == Character.PARAGRAPH_SEPARATOR
                  || type == Character.UNASSIGNED
                  || type == Character.PRIVATE_USE) {
                return;
              }
              if ("\"*:<>?|".indexOf(cp) >= 0) {
                b.append('_');
              } else {
                b.appendCodePoint(cp);
              }
            });
    String clean = java.text.Normalizer.normalize(b, java.text.Normalizer.Form.NFC).strip();
    int end = clean.length();
    while (end > 0
        && (clean.charAt(end - 1) == '.' || Character.isWhitespace(clean.charAt(end - 1)))) {
      end--;
    }
    clean = clean.substring(0, end);
    return clean.isEmpty() ? "attachment" : clean;
  }

  /** The lower-case extension of a file name (after its last dot), or null if it has none. */
  static String extension(String filename) {
    int dot = filename.lastIndexOf('.');
    return dot < 0 || dot == filename.length() - 1
        ? null
        : filename.substring(dot + 1).toLowerCase(Locale.ROOT);
  }

  /**
   * At most {@value #MAX_TAGS} pairs; names {@code [a-z0-9_-]{1,32}}, values 1..{@value
   * #MAX_TAG_VALUE_CHARS} printable ASCII characters. Returns them as sorted {@code name:value}
   * strings (how they are stored and filtered), or null when there are none.
   */
  static String[] tags(Map<String, String> tags, List<FieldProblem> errors) {
    if (tags == null || tags.isEmpty()) {
      return null;
    }
    if (tags.size() > MAX_TAGS) {
      errors.add(FieldProblem.of("tags", "at most " + MAX_TAGS + " tags"));
      return null;
    }
    int before = errors.size();
    java.util.TreeMap<String, String> sorted = new java.util.TreeMap<>();
    for (Map.Entry<String, String> t : tags.entrySet()) {
      String name = t.getKey();
      if (!TAG_NAME.matcher(name).matches()) {
        errors.add(
            FieldProblem.of(
                "tags." + (isPrintableAscii(name) && name.length() <= 64 ? name : "?"),
                "tag names are 1..32 of a-z, 0-9, _ and -"));
        continue;
      }
      String value = t.getValue();
      if (value == null
          || value.isEmpty()
          || value.length() > MAX_TAG_VALUE_CHARS
          || !isPrintableAscii(value)) {
        errors.add(
            FieldProblem.of(
                "tags." + name,
                "values are 1.." + MAX_TAG_VALUE_CHARS + " printable ASCII characters"));
        continue;
      }
      sorted.put(name, value);
    }
    if (errors.size() > before) {
      return null;
    }
    return sorted.entrySet().stream()
        .map(e -> e.getKey() + ":" + e.getValue())
        .toArray(String[]::new);
  }

  static boolean isPrintableAscii(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20 || c > 0x7E) {
        return false;
      }
    }
    return true;
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

  /**
   * A sender address ({@code from}, {@code replyTo}) must be in one of the client's sender domains
   * (or a subdomain of one); a client without any may only use the default sender, by leaving
   * {@code from} out.
   */
  private static void sender(
      String field, InternetAddress address, AllowedSenders senders, List<FieldProblem> refused) {
    if (senders.allows(domainOf(address))) {
      return;
    }
    refused.add(
        FieldProblem.of(
            field,
            senders.domains().isEmpty()
                ? "this client has no sender domains: leave from and replyTo out to send as the"
                    + " service's default sender, or ask an admin to allow your domain"
                : "the address's domain is not one of this client's sender domains"));
  }

  private static String domainOf(InternetAddress a) {
    String addr = a.getAddress();
    return addr.substring(addr.lastIndexOf('@') + 1);
  }

  /**
   * Strict RFC 5322 mailbox with a domain; no groups, no line breaks, no control characters in the
   * display name (also when encoded), and an address part SMTP can carry as it is (see the class
   * comment).
   *
   * @return the parsed address, or null when it is not valid (an error was added)
   */
  static InternetAddress address(String field, String value, List<FieldProblem> errors) {
    if (value == null || value.isBlank()) {
      errors.add(FieldProblem.of(field, "an address is required"));
      return null;
    }
    if (hasLineBreak(value)) {
      errors.add(FieldProblem.of(field, "must not contain CR or LF"));
      return null;
    }
    if (value.length() > MAX_ADDRESS_CHARS) {
      errors.add(FieldProblem.of(field, "longer than " + MAX_ADDRESS_CHARS + " characters"));
      return null;
    }
    InternetAddress a;
    try {
      a = new InternetAddress(value, true);
      a.validate();
    } catch (AddressException e) {
      errors.add(FieldProblem.of(field, "not a valid RFC 5322 address"));
      return null;
    }
    String why = addressPart(a.getAddress(), a.isGroup());
    if (why == null && a.getPersonal() != null && hasControl(a.getPersonal())) {
      why = "the display name must not contain control characters, also not in encoded words";
    }
    if (why != null) {
      errors.add(FieldProblem.of(field, why));
      return null;
    }
    return a;
  }

  /** Why the address part ({@code local@domain}) is refused, or null when it is fine. */
  private static String addressPart(String addr, boolean group) {
    String invalid = "not a valid RFC 5322 address";
    if (group || addr == null) {
      return invalid;
    }
    for (int i = 0; i < addr.length(); i++) {
      if (addr.charAt(i) >= 0x80) {
        return "non-ASCII addresses are not supported (no SMTPUTF8)";
      }
    }
    int at = addr.lastIndexOf('@');
    if (at < 1 || at == addr.length() - 1) {
      return invalid;
    }
    String local = addr.substring(0, at);
    String domain = addr.substring(at + 1);
    if (addr.startsWith("@")) {
      return "source routes (<@host:...>) are not allowed";
    }
    if (local.startsWith("\"")) {
      return "quoted local parts are not allowed";
    }
    if (domain.startsWith("[")) {
      return "address literals ([...]) are not allowed; use a domain name";
    }
    if (local.length() > MAX_LOCAL_PART_CHARS) {
      return "the local part is longer than " + MAX_LOCAL_PART_CHARS + " characters";
    }
    if (!LOCAL_PART.matcher(local).matches()
        || domain.length() > 253
        || !HOST_NAME.matcher(domain).matches()) {
      return invalid;
    }
    return null;
  }

  private void headers(Map<String, String> headers, List<FieldProblem> errors) {
    if (headers == null) {
      return;
    }
    if (headers.size() > MAX_CUSTOM_HEADERS) {
      errors.add(FieldProblem.of("headers", "at most " + MAX_CUSTOM_HEADERS + " custom headers"));
    }
    for (Map.Entry<String, String> h : headers.entrySet()) {
      String name = h.getKey();
      String field = "headers." + (hasLineBreak(name) ? "?" : name);
      String denied = deniedPrefix(name);
      if (denied != null) {
        errors.add(
            FieldProblem.of(
                field,
                "headers starting with '"
                    + denied
                    + "' are not allowed: mail systems treat them as trusted"));
      } else if (!CUSTOM_HEADER_NAME.matcher(name).matches()) {
        errors.add(FieldProblem.of(field, "only X- header names (letters, digits, '-') allowed"));
      }
      String value = h.getValue();
      if (value == null) {
        errors.add(FieldProblem.of(field, "a value is required"));
      } else {
        headerText(field, value, errors);
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
    if (at.isAfter(now.plus(limits.maxSchedule()))) {
      errors.add(
          FieldProblem.of(
              "sendAt", "more than " + limits.maxSchedule().toDays() + " days in the future"));
    }
    return at.isAfter(now) ? at : null;
  }

  /** The configured prefix that {@code name} starts with (ignoring case), or null. */
  private String deniedPrefix(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    for (String prefix : limits.deniedHeaderPrefixes()) {
      if (lower.startsWith(prefix.toLowerCase(Locale.ROOT))) {
        return prefix;
      }
    }
    return null;
  }

  /** Text that becomes (part of) a header: no CR/LF, no other control characters. */
  private static void headerText(String field, String value, List<FieldProblem> errors) {
    if (hasLineBreak(value)) {
      errors.add(FieldProblem.of(field, "must not contain CR or LF"));
    } else if (hasControl(value)) {
      errors.add(
          FieldProblem.of(field, "must not contain control characters, also not in encoded words"));
    }
  }

  /**
   * Whether {@code s} holds a control character other than TAB, as it is or once an RFC 2047
   * encoded word in it is decoded (as a receiver would show it).
   */
  static boolean hasControl(String s) {
    if (isControl(s)) {
      return true;
    }
    if (s.indexOf("=?") < 0) {
      return false;
    }
    Matcher m = ENCODED_WORD.matcher(s);
    while (m.find()) {
      String decoded;
      try {
        decoded = MimeUtility.decodeWord(m.group());
      } catch (ParseException | UnsupportedEncodingException | RuntimeException undecodable) {
        continue; // unknown charset or bad encoding: receivers show it as it is
      }
      if (isControl(decoded)) {
        return true;
      }
    }
    return false;
  }

  private static boolean isControl(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c != '\t' && Character.isISOControl(c)) {
        return true;
      }
    }
    return false;
  }

  private static boolean hasLineBreak(String s) {
    return s.indexOf('\r') >= 0 || s.indexOf('\n') >= 0;
  }

  private static long utf8(String s) {
    return s == null ? 0 : s.getBytes(StandardCharsets.UTF_8).length;
  }
}
