package dev.ums.email;

import jakarta.mail.Address;
import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeUtility;
import java.io.ByteArrayOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UnsupportedEncodingException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.eclipse.angus.mail.smtp.SMTPMessage;

/**
 * Turns an {@link Email} into the bytes of a MIME message, rendered once, directly: headers, then a
 * single text part or a {@code multipart/alternative} of text and HTML; with attachments, that body
 * inside a {@code multipart/mixed}, and inline parts with a content id next to the HTML in a {@code
 * multipart/related}. Built afresh for every send; nothing is cached.
 *
 * <p>Attachments are not copied into the rendered bytes: the message keeps a reference to each
 * one's decoded bytes and base64-encodes them (76-character lines) only while it is written to the
 * relay, so a large file costs its own size once more, not its encoded size twice. Its exact size
 * is known beforehand ({@link Rendered#getSize()}).
 *
 * <p>Why not Jakarta Mail's own {@code MimeMessage}/{@code MimeMultipart}: in a profile of the
 * dispatch drain, building and serialising those (data handlers, content-type parsing, encoding
 * detection, header re-writing on save) took over 60% of the dispatcher's CPU for a two-part mail.
 * The output here is what that code produced for these cases: RFC 2047 encoded words for non-ASCII
 * subjects, names and custom headers, folded header lines, UTF-8 bodies as 7bit when they are plain
 * ASCII with short lines and quoted-printable otherwise (encoded by Jakarta Mail's encoder). Line
 * ends and dot-stuffing are the SMTP stream's job, as before.
 */
final class MimeBuilder {

  private static final String UTF_8 = "UTF-8";
  private static final DateTimeFormatter DATE =
      DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

  /** RFC 5322 §2.1.1: no line longer than 998 characters. */
  private static final int MAX_LINE = 998;

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

  /** A rendered message and its envelope recipients (to, cc, bcc), each address parsed once. */
  record Built(MimeMessage mime, Address[] envelope) {}

  /**
   * The message for {@code email}. Its {@code writeTo} writes the rendered bytes; {@code From} is
   * also set as a header object, as the SMTP code reads the envelope sender from it unless the
   * message has an envelope sender of its own ({@link SMTPMessage#getEnvelopeFrom()}, set from
   * {@link Email#returnPath()}), which both ways of speaking SMTP use instead.
   */
  static Built build(Session session, Email email, Clock clock) throws MessagingException {
    if (email.messageId() == null || email.messageId().isBlank()) {
      throw new IllegalArgumentException("messageId is required");
    }
    InternetAddress from = mailbox(email.from());
    Address[] to = mailboxes(email.to());
    Address[] cc = mailboxes(email.cc());
    Address[] bcc = mailboxes(email.bcc());
    Segments out =
        new Segments(1024 + length(email.text()) + length(email.html()) + length(email.subject()));
    header(out, "Date", date(clock.instant()));
    header(out, "From", InternetAddress.toString(new Address[] {from}, 6));
    if (email.replyTo() != null && !email.replyTo().isBlank()) {
      header(
          out, "Reply-To", InternetAddress.toString(new Address[] {mailbox(email.replyTo())}, 10));
    }
    header(out, "To", InternetAddress.toString(to, 4));
    // Bcc is deliberately never a header: those recipients are only in the envelope.
    if (cc.length > 0) {
      header(out, "Cc", InternetAddress.toString(cc, 4));
    }
    header(out, "Message-ID", email.messageId());
    if (email.subject() != null) {
      header(out, "Subject", encode("Subject", email.subject()));
    }
    for (Map.Entry<String, String> h : email.headers().entrySet()) {
      String name = h.getKey();
      if (name == null
          || RESERVED.contains(name.toLowerCase(Locale.ROOT))
          || name.toLowerCase(Locale.ROOT).startsWith("content-")) {
        throw new IllegalArgumentException("header not allowed");
      }
      header(out, name, encode(name, h.getValue()));
    }
    header(out, "MIME-Version", "1.0");
    body(out, email);
    Rendered m = new Rendered(session, out.finish(), out.total());
    m.setFrom(from);
    if (email.returnPath() != null) {
      m.setEnvelopeFrom(mailbox(email.returnPath()).getAddress());
    }
    Address[] envelope = new Address[to.length + cc.length + bcc.length];
    System.arraycopy(to, 0, envelope, 0, to.length);
    System.arraycopy(cc, 0, envelope, to.length, cc.length);
    System.arraycopy(bcc, 0, envelope, to.length + cc.length, bcc.length);
    return new Built(m, envelope);
  }

  /**
   * {@code built} with a {@code DKIM-Signature} on top when {@code signer} has a key for its {@code
   * From} domain (or a parent of it); otherwise {@code built} itself.
   */
  static Built sign(Built built, DkimSigner signer, Instant now)
      throws MessagingException, IOException, java.security.GeneralSecurityException {
    Rendered r = (Rendered) built.mime();
    String from = ((InternetAddress) r.getFrom()[0]).getAddress();
    DkimSigner.DomainKey key = signer.keyFor(from.substring(from.lastIndexOf('@') + 1));
    if (key == null) {
      return built;
    }
    byte[] field = DkimSigner.sign(key, r.head(), r::writeBody, now);
    return new Built(r.withHeader(field), built.envelope());
  }

  /** The {@code Date} header text, formatted once per second (the header's resolution). */
  private static String date(Instant now) {
    long second = now.getEpochSecond();
    FormattedDate last = lastDate;
    if (last == null || last.second() != second) {
      last = new FormattedDate(second, DATE.format(Instant.ofEpochSecond(second)));
      lastDate = last;
    }
    return last.text();
  }

  private record FormattedDate(long second, String text) {}

  private static volatile FormattedDate lastDate;

  /**
   * The body: the text and HTML (see {@link #content}), and when there are attachments other than
   * inline images for the HTML, all of it as the first part of a {@code multipart/mixed} followed
   * by those attachments.
   */
  private static void body(Segments out, Email email) {
    List<Email.Attachment> related = new ArrayList<>();
    List<Email.Attachment> mixed = new ArrayList<>();
    for (Email.Attachment a : email.attachments()) {
      // Inline parts with a content id belong to the HTML (cid: references); without HTML to show
      // them in, they are offered like any other attachment.
      (a.inline() && a.contentId() != null && email.html() != null ? related : mixed).add(a);
    }
    if (mixed.isEmpty()) {
      content(out, email.text(), email.html(), related);
      return;
    }
    String boundary = boundary();
    header(out, "Content-Type", "multipart/mixed; \r\n\tboundary=\"" + boundary + "\"");
    ascii(out, "\r\n--" + boundary + "\r\n");
    content(out, email.text(), email.html(), related);
    for (Email.Attachment a : mixed) {
      ascii(out, "\r\n--" + boundary + "\r\n");
      attachment(out, a);
    }
    ascii(out, "\r\n--" + boundary + "--\r\n");
  }

  /** A single text part or a {@code multipart/alternative} of text and HTML. */
  private static void content(
      Segments out, String text, String html, List<Email.Attachment> related) {
    if (text != null && html != null) {
      // RFC 2046: alternatives in increasing order of preference, so the plain part first.
      String boundary = boundary();
      header(out, "Content-Type", "multipart/alternative; \r\n\tboundary=\"" + boundary + "\"");
      ascii(out, "\r\n--" + boundary + "\r\n");
      part(out, "plain", text);
      ascii(out, "\r\n--" + boundary + "\r\n");
      html(out, html, related);
      ascii(out, "\r\n--" + boundary + "--\r\n");
    } else if (html != null) {
      html(out, html, related);
    } else {
      part(out, "plain", text == null ? "" : text);
    }
  }

  /**
   * The HTML part, or (RFC 2387) a {@code multipart/related} of the HTML and the inline parts it
   * refers to by {@code cid:}.
   */
  private static void html(Segments out, String html, List<Email.Attachment> related) {
    if (related.isEmpty()) {
      part(out, "html", html);
      return;
    }
    String boundary = boundary();
    header(
        out,
        "Content-Type",
        "multipart/related; \r\n\ttype=\"text/html\"; \r\n\tboundary=\"" + boundary + "\"");
    ascii(out, "\r\n--" + boundary + "\r\n");
    part(out, "html", html);
    for (Email.Attachment a : related) {
      ascii(out, "\r\n--" + boundary + "\r\n");
      attachment(out, a);
    }
    ascii(out, "\r\n--" + boundary + "--\r\n");
  }

  /**
   * One attachment: its type with the file name as {@code name} (RFC 2047 encoded words when not
   * ASCII, for older clients), base64, its disposition with the file name as {@code filename} (RFC
   * 2231, split into continuations when long), its content id; then the content, encoded when
   * written.
   */
  private static void attachment(Segments out, Email.Attachment a) {
    String type = a.contentType() + "; \r\n\tname=\"" + nameParameter(a.filename()) + "\"";
    header(out, "Content-Type", type);
    header(out, "Content-Transfer-Encoding", "base64");
    header(
        out,
        "Content-Disposition",
        (a.inline() ? "inline" : "attachment") + filename(a.filename()));
    if (a.contentId() != null) {
      header(out, "Content-ID", "<" + a.contentId() + ">");
    }
    ascii(out, "\r\n");
    out.base64(a.content());
  }

  /**
   * A file name as the value of a quoted {@code name} parameter: as it is when plain ASCII (the
   * caller refused quotes and backslashes), else encoded words folded one per line.
   */
  static String nameParameter(String filename) {
    for (int i = 0; i < filename.length(); i++) {
      char c = filename.charAt(i);
      if (c < 0x20 || c >= 0x7F || c == '"' || c == '\\') {
        return encodedWords(filename).replace("\r\n ", "\r\n\t");
      }
    }
    return filename;
  }

  /** RFC 2231 attribute-char: what needs no percent-encoding in an extended parameter value. */
  private static final String ATTRIBUTE_CHARS =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789!#$&+-.^_`|~";

  /** Characters of an encoded file name per {@code filename*N*=} line, at most. */
  private static final int SEGMENT_CHARS = 60;

  /**
   * The {@code filename} parameter(s): {@code ; filename="report.pdf"} for a short ASCII name,
   * otherwise RFC 2231 {@code UTF-8''} percent-encoding split into numbered continuations of at
   * most {@value #SEGMENT_CHARS} characters, one per folded line, never splitting a {@code %XX}.
   * (Jakarta Mail's {@code ParameterList} does not split encoded values, so a long UTF-8 name would
   * make a line of thousands of characters.)
   */
  static String filename(String name) {
    boolean plain = name.length() <= SEGMENT_CHARS;
    for (int i = 0; plain && i < name.length(); i++) {
      char c = name.charAt(i);
      plain = c >= 0x20 && c < 0x7F && c != '"' && c != '\\';
    }
    if (plain) {
      return "; filename=\"" + name + "\"";
    }
    StringBuilder encoded = new StringBuilder("UTF-8''");
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      int c = b & 0xFF;
      if (c < 0x80 && ATTRIBUTE_CHARS.indexOf(c) >= 0) {
        encoded.append((char) c);
      } else {
        encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xF]);
      }
    }
    StringBuilder out = new StringBuilder();
    int segment = 0;
    int start = 0;
    while (start < encoded.length()) {
      int end = Math.min(encoded.length(), start + SEGMENT_CHARS);
      // Keep each %XX whole: step back if the cut falls inside one.
      if (end < encoded.length()) {
        if (encoded.charAt(end - 1) == '%') {
          end -= 1;
        } else if (end >= 2 && encoded.charAt(end - 2) == '%') {
          end -= 2;
        }
      }
      out.append(";\r\n\tfilename*").append(segment++).append("*=").append(encoded, start, end);
      start = end;
    }
    return out.toString();
  }

  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private static String boundary() {
    return "----=_Part_" + Long.toHexString(ThreadLocalRandom.current().nextLong() | 1L << 62);
  }

  /** Content-Type and Content-Transfer-Encoding, a blank line, then the encoded content. */
  private static void part(Segments out, String subtype, String content) {
    boolean plain = isShortLineAscii(content);
    header(out, "Content-Type", "text/" + subtype + "; charset=UTF-8");
    header(out, "Content-Transfer-Encoding", plain ? "7bit" : "quoted-printable");
    ascii(out, "\r\n");
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    if (plain) {
      out.writeBytes(bytes);
      return;
    }
    try {
      OutputStream qp = MimeUtility.encode(out, "quoted-printable");
      qp.write(bytes);
      qp.flush();
    } catch (MessagingException | IOException e) {
      throw new IllegalStateException("quoted-printable encoding failed", e);
    }
  }

  /** Plain ASCII, no NUL or bare CR, no line over 998 characters: safe to send as 7bit. */
  static boolean isShortLineAscii(String s) {
    int line = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c >= 0x80 || c == 0 || (c == '\r' && (i + 1 == s.length() || s.charAt(i + 1) != '\n'))) {
        return false;
      }
      if (c == '\n') {
        line = 0;
      } else if (c != '\r' && ++line > MAX_LINE) {
        return false;
      }
    }
    return true;
  }

  private static void header(ByteArrayOutputStream out, String name, String value) {
    out.writeBytes(name.getBytes(StandardCharsets.US_ASCII));
    ascii(out, ": ");
    out.writeBytes(value.getBytes(StandardCharsets.UTF_8));
    ascii(out, "\r\n");
  }

  private static void ascii(ByteArrayOutputStream out, String s) {
    out.writeBytes(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static int length(String s) {
    return s == null ? 0 : s.length();
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
    // Strict parsing checks the address as validate() would; intake validated it already.
    InternetAddress a = new InternetAddress(value, true);
    if (a.getPersonal() == null) {
      return a;
    }
    try {
      return new InternetAddress(a.getAddress(), a.getPersonal(), UTF_8);
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is always supported", e);
    }
  }

  /**
   * An unstructured header value: as it is when ASCII, else RFC 2047 encoded words; folded at
   * whitespace. Folding cannot break a run without whitespace, so when one would leave a line over
   * {@link #MAX_LINE} characters (a 998-character subject without spaces), the whole value becomes
   * encoded words, one per line, which a receiver joins back into the same text.
   */
  static String encode(String name, String value) {
    String text = value == null ? "" : value;
    int used = name.length() + 2;
    try {
      String encoded = MimeUtility.encodeText(text, UTF_8, null);
      // Short enough for one line (and no CR/LF: intake refuses them): nothing to fold.
      if (used + encoded.length() <= 76) {
        return encoded;
      }
      String folded = MimeUtility.fold(used, encoded);
      return longestLine(used, folded) <= MAX_LINE ? folded : encodedWords(text);
    } catch (UnsupportedEncodingException e) {
      throw new IllegalStateException("UTF-8 is always supported", e);
    }
  }

  /** The longest line of a folded value whose first line already holds {@code used} characters. */
  private static int longestLine(int used, String folded) {
    int longest = 0;
    int start = 0;
    int first = used;
    while (true) {
      int end = folded.indexOf("\r\n", start);
      int length = (end < 0 ? folded.length() : end) - start + first;
      longest = Math.max(longest, length);
      if (end < 0) {
        return longest;
      }
      start = end + 2;
      first = 0;
    }
  }

  /** Bytes of UTF-8 per encoded word: base64 of 45 bytes is 60 characters, 72 with the frame. */
  private static final int WORD_BYTES = 45;

  /**
   * {@code text} as {@code =?UTF-8?B?...?=} words of at most 72 characters, one per folded line,
   * never splitting a character across two words (RFC 2047 §5).
   */
  static String encodedWords(String text) {
    StringBuilder out = new StringBuilder(text.length() * 2);
    ByteArrayOutputStream word = new ByteArrayOutputStream(WORD_BYTES);
    int i = 0;
    while (i < text.length()) {
      int cp = text.codePointAt(i);
      byte[] bytes = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8);
      if (word.size() + bytes.length > WORD_BYTES) {
        appendWord(out, word.toByteArray());
        word.reset();
      }
      word.writeBytes(bytes);
      i += Character.charCount(cp);
    }
    if (word.size() > 0 || out.length() == 0) {
      appendWord(out, word.toByteArray());
    }
    return out.toString();
  }

  private static void appendWord(StringBuilder out, byte[] bytes) {
    if (out.length() > 0) {
      out.append("\r\n ");
    }
    out.append("=?UTF-8?B?").append(Base64.getEncoder().encodeToString(bytes)).append("?=");
  }

  /**
   * Rendered header and text bytes, with attachments kept as references to their decoded bytes
   * between them.
   */
  private static final class Segments extends ByteArrayOutputStream {

    private final List<Object> parts = new ArrayList<>();
    private long total;

    Segments(int initial) {
      super(initial);
    }

    /** Content to be written as base64 here, when the message is written. */
    void base64(byte[] content) {
      flushText();
      parts.add(new Base64Part(content));
      total += base64Length(content.length);
    }

    List<Object> finish() {
      flushText();
      return List.copyOf(parts);
    }

    long total() {
      return total;
    }

    private void flushText() {
      if (count > 0) {
        parts.add(toByteArray());
        total += count;
        reset();
      }
    }
  }

  /** Content written as base64 in lines of 76 characters, each ended by CRLF. */
  private record Base64Part(byte[] content) {}

  /** The length of {@code n} bytes as base64 in CRLF-ended lines of 76 characters. */
  static long base64Length(long n) {
    long chars = (n + 2) / 3 * 4;
    long lines = (chars + 75) / 76;
    return chars + 2 * lines;
  }

  private static final byte[] CRLF = {'\r', '\n'};

  /** Writes the content as base64 lines to {@code os}, leaving {@code os} open. */
  static void writeBase64(byte[] content, OutputStream os) throws IOException {
    if (content.length == 0) {
      return;
    }
    OutputStream keepOpen =
        new FilterOutputStream(os) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush();
          }
        };
    try (OutputStream b64 = Base64.getMimeEncoder(76, CRLF).wrap(keepOpen)) {
      b64.write(content);
    }
    os.write(CRLF);
  }

  /**
   * A message whose bytes are already rendered, attachments aside: {@code writeTo} writes them as
   * they are (they never hold a Bcc header, so the SMTP code's ignore list has nothing to drop),
   * encoding each attachment on the way.
   */
  static final class Rendered extends SMTPMessage {

    private final List<Object> parts;
    private final long size;

    Rendered(Session session, List<Object> parts, long size) {
      super(session);
      this.parts = parts;
      this.size = size;
    }

    /**
     * The header block: every field with its CRLF, without the blank line. All of it is in the
     * first rendered segment, as attachments only begin inside the body.
     */
    byte[] head() {
      byte[] first = (byte[]) parts.get(0);
      return java.util.Arrays.copyOf(first, headEnd(first));
    }

    /** Writes the body: everything after the blank line that ends the headers. */
    void writeBody(OutputStream os) throws IOException {
      byte[] first = (byte[]) parts.get(0);
      int start = headEnd(first) + 2;
      os.write(first, start, first.length - start);
      for (int i = 1; i < parts.size(); i++) {
        write(parts.get(i), os);
      }
    }

    /** This message with {@code field} (a whole header line, CRLF included) on top. */
    Rendered withHeader(byte[] field) {
      List<Object> withField = new ArrayList<>(parts.size() + 1);
      withField.add(field);
      withField.addAll(parts);
      Rendered r = new Rendered(session, List.copyOf(withField), size + field.length);
      try {
        r.setFrom(getFrom()[0]);
        r.setEnvelopeFrom(getEnvelopeFrom());
      } catch (MessagingException e) {
        throw new IllegalStateException(e);
      }
      return r;
    }

    private static int headEnd(byte[] b) {
      for (int i = 0; i + 3 < b.length; i++) {
        if (b[i] == '\r' && b[i + 1] == '\n' && b[i + 2] == '\r' && b[i + 3] == '\n') {
          return i + 2;
        }
      }
      throw new IllegalStateException("no end of headers in the first segment");
    }

    private static void write(Object p, OutputStream os) throws IOException {
      if (p instanceof byte[] bytes) {
        os.write(bytes);
      } else {
        writeBase64(((Base64Part) p).content(), os);
      }
    }

    @Override
    public void writeTo(OutputStream os, String[] ignoreList) throws IOException {
      writeTo(os);
    }

    @Override
    public void writeTo(OutputStream os) throws IOException {
      for (Object p : parts) {
        write(p, os);
      }
    }

    @Override
    public int getSize() {
      return (int) Math.min(Integer.MAX_VALUE, size);
    }
  }
}
