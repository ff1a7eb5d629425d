package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import jakarta.mail.BodyPart;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every MIME shape the builder makes (text, HTML, both; attachments; inline images by cid; UTF-8
 * file names), read back by Jakarta Mail's parser from the rendered bytes, and after a trip through
 * a real SMTP server: GreenMail (Jakarta Mail's client), and a pipelining relay taking the message
 * as one {@code BDAT} chunk.
 */
class AttachmentMimeTest {

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort());

  private static final Session SESSION = Session.getInstance(new Properties());
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-11-25T10:15:30Z"), ZoneOffset.UTC);

  static final byte[] PDF = bytes(70_001, 1);
  static final byte[] PNG = bytes(5_000, 2);
  static final String UTF8_NAME = "Rechnung März € 你好.pdf";
  static final String LONG_UTF8_NAME = "請求書".repeat(80) + ".pdf"; // 244 chars, 724 UTF-8 bytes

  static byte[] bytes(int n, long seed) {
    byte[] b = new byte[n];
    new Random(seed).nextBytes(b);
    return b;
  }

  static Email email(String text, String html, Email.Attachment... attachments) {
    return new Email(
        "<shape@ums.test>",
        "Shop <shop@ums.test>",
        List.of("ann@example.com"),
        List.of(),
        List.of(),
        null,
        "Your invoice",
        text,
        html,
        Map.of(),
        List.of(attachments));
  }

  static Email.Attachment pdf(String name) {
    return new Email.Attachment(name, "application/pdf", false, null, PDF);
  }

  static Email.Attachment logo() {
    return new Email.Attachment("logo.png", "image/png", true, "logo@shop", PNG);
  }

  /** A shape: the email, and what its parsed form must look like. */
  record Shape(String name, Email email, String tree) {
    @Override
    public String toString() {
      return name;
    }
  }

  static Stream<Arguments> shapes() {
    return Stream.of(
            new Shape("text", email("Hi", null), "text/plain"),
            new Shape("html", email(null, "<p>Hi</p>"), "text/html"),
            new Shape(
                "both", email("Hi", "<p>Hi</p>"), "multipart/alternative[text/plain,text/html]"),
            new Shape(
                "text with attachment",
                email("Hi", null, pdf("invoice.pdf")),
                "multipart/mixed[text/plain,application/pdf]"),
            new Shape(
                "both with two attachments",
                email("Hi", "<p>Hi</p>", pdf("a.pdf"), pdf("b.pdf")),
                "multipart/mixed[multipart/alternative[text/plain,text/html],application/pdf,"
                    + "application/pdf]"),
            new Shape(
                "html with inline image",
                email(null, "<img src=\"cid:logo@shop\">", logo()),
                "multipart/related[text/html,image/png]"),
            new Shape(
                "both with inline image and attachment",
                email("Hi", "<img src=\"cid:logo@shop\">", logo(), pdf("invoice.pdf")),
                "multipart/mixed[multipart/alternative[text/plain,multipart/related[text/html,"
                    + "image/png]],application/pdf]"),
            new Shape(
                "inline image without html",
                email("Hi", null, logo()),
                "multipart/mixed[text/plain,image/png]"),
            new Shape(
                "utf-8 file names",
                email("Hi", null, pdf(UTF8_NAME), pdf(LONG_UTF8_NAME)),
                "multipart/mixed[text/plain,application/pdf,application/pdf]"),
            new Shape(
                "empty attachment",
                email(
                    "Hi",
                    null,
                    new Email.Attachment("empty.txt", "text/plain", false, null, new byte[0])),
                "multipart/mixed[text/plain,text/plain]"))
        .map(Arguments::of);
  }

  static byte[] render(Email e) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MimeMessage m = MimeBuilder.build(SESSION, e, CLOCK).mime();
    m.writeTo(out, new String[] {"Bcc"});
    assertThat(out.size()).as("getSize() is exact").isEqualTo(m.getSize());
    return out.toByteArray();
  }

  static MimeMessage parse(byte[] bytes) throws Exception {
    return new MimeMessage(SESSION, new ByteArrayInputStream(bytes));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void the_rendered_bytes_parse_back_to_the_same_email(Shape shape) throws Exception {
    byte[] bytes = render(shape.email());

    assertSameEmail(shape, parse(bytes));
    for (String line : new String(bytes, StandardCharsets.ISO_8859_1).split("\r\n", -1)) {
      assertThat(line.length()).as("RFC 5322 line limit").isLessThanOrEqualTo(998);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void every_shape_survives_a_real_smtp_server(Shape shape) throws Exception {
    greenMail.purgeEmailFromAllMailboxes();
    try (EmailSender sender =
        Senders.sender(greenMail.getSmtp().getPort(), 1, Duration.ofSeconds(5))) {
      sender.send(shape.email());
    }
    MimeMessage[] got = greenMail.getReceivedMessages();
    assertThat(got).hasSize(1);
    assertSameEmail(shape, got[0]);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("shapes")
  void every_shape_survives_a_pipelined_bdat_chunk(Shape shape) throws Exception {
    try (ScriptedSmtpServer relay = ScriptedSmtpServer.start()) {
      relay.advertise("PIPELINING", "CHUNKING", "8BITMIME");
      try (EmailSender sender = Senders.sender(relay.port(), 1, Duration.ofSeconds(5))) {
        sender.send(shape.email()); // learns that the relay pipelines
        sender.send(shape.email()); // pipelined, BDAT
      }
      assertThat(relay.commands()).anyMatch(c -> c.startsWith("BDAT "));
      List<byte[]> messages = relay.messages();
      assertSameEmail(shape, parse(messages.get(messages.size() - 1)));
    }
  }

  @Test
  void base64_bodies_come_in_lines_of_76_characters() throws Exception {
    String raw =
        new String(render(email("Hi", null, pdf("invoice.pdf"))), StandardCharsets.US_ASCII);
    String body = raw.substring(raw.indexOf("Content-Transfer-Encoding: base64"));
    body = body.substring(body.indexOf("\r\n\r\n") + 4, body.indexOf("\r\n--"));
    String[] lines = body.split("\r\n");
    int chars = (PDF.length + 2) / 3 * 4;
    assertThat(lines.length).isEqualTo((chars + 75) / 76);
    for (int i = 0; i < lines.length - 1; i++) {
      assertThat(lines[i]).hasSize(76);
    }
    assertThat(lines[lines.length - 1].length()).isBetween(1, 76);
    assertThat(java.util.Base64.getMimeDecoder().decode(body)).isEqualTo(PDF);
  }

  @Test
  void utf8_file_names_are_encoded_by_rfc_2231_and_rfc_2047() throws Exception {
    String raw = new String(render(email("Hi", null, pdf(UTF8_NAME))), StandardCharsets.US_ASCII);
    assertThat(raw).contains("filename*0*=UTF-8''Rechnung%20M%C3%A4rz%20%E2%82%AC");
    assertThat(raw).contains("name=\"=?UTF-8?B?");
    MimeBodyPart part =
        (MimeBodyPart)
            ((Multipart) parse(raw.getBytes(StandardCharsets.US_ASCII)).getContent())
                .getBodyPart(1);
    assertThat(part.getFileName()).isEqualTo(UTF8_NAME);
  }

  @Test
  void the_message_holds_attachments_by_reference_and_encodes_them_when_written() throws Exception {
    byte[] big = bytes(3_000_000, 3);
    MimeMessage m =
        MimeBuilder.build(
                SESSION,
                email(
                    "Hi",
                    null,
                    new Email.Attachment("big.bin", "application/octet-stream", false, null, big)),
                CLOCK)
            .mime();
    // Written twice (a retry on a fresh connection writes again): the same bytes both times.
    ByteArrayOutputStream a = new ByteArrayOutputStream();
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    m.writeTo(a);
    m.writeTo(b);
    assertThat(a.toByteArray()).isEqualTo(b.toByteArray());
    assertThat(m.getSize()).isEqualTo(a.size());
    assertThat((long) m.getSize()).isLessThan(MimeBuilder.base64Length(big.length) + 2_000);
  }

  /** The parsed message has the shape's tree, bodies and attachments (bytes, names, ids). */
  static void assertSameEmail(Shape shape, MimeMessage m) throws Exception {
    assertThat(tree(m)).isEqualTo(shape.tree());
    Email e = shape.email();
    List<Part> leaves = new ArrayList<>();
    leaves(m, leaves);
    List<Part> files = new ArrayList<>();
    for (Part p : leaves) {
      if (p.getFileName() != null) {
        files.add(p);
      } else if (p.isMimeType("text/plain")) {
        assertThat(body(p)).isEqualTo(e.text());
      } else if (p.isMimeType("text/html")) {
        assertThat(body(p)).isEqualTo(e.html());
      }
    }
    // Inline parts for the HTML come first (inside the body), then the others.
    List<Email.Attachment> expected = new ArrayList<>();
    e.attachments().stream().filter(a -> a.inline() && e.html() != null).forEach(expected::add);
    e.attachments().stream().filter(a -> !(a.inline() && e.html() != null)).forEach(expected::add);
    assertThat(files).hasSameSizeAs(expected);
    for (int i = 0; i < files.size(); i++) {
      Part p = files.get(i);
      Email.Attachment a = expected.get(i);
      assertThat(p.getFileName()).isEqualTo(a.filename());
      assertThat(p.getDisposition()).isEqualTo(a.inline() ? Part.INLINE : Part.ATTACHMENT);
      assertThat(((MimeBodyPart) p).getEncoding()).isEqualTo("base64");
      if (a.contentId() != null) {
        assertThat(((MimeBodyPart) p).getContentID()).isEqualTo("<" + a.contentId() + ">");
      }
      try (InputStream in = ((MimeBodyPart) p).getInputStream()) {
        assertThat(in.readAllBytes()).isEqualTo(a.content());
      }
    }
  }

  /**
   * A text body as sent; a message that is a single text part ends with the line break the SMTP
   * client adds to end its last line.
   */
  private static String body(Part p) throws Exception {
    String s = ((String) p.getContent()).replace("\r\n", "\n");
    return p instanceof MimeMessage && s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
  }

  private static void leaves(Part p, List<Part> out) throws Exception {
    if (p.isMimeType("multipart/*")) {
      Multipart mp = (Multipart) p.getContent();
      for (int i = 0; i < mp.getCount(); i++) {
        leaves(mp.getBodyPart(i), out);
      }
    } else {
      out.add(p);
    }
  }

  /** The content types of a message as a tree: {@code multipart/mixed[text/plain,...]}. */
  static String tree(Part p) throws Exception {
    String type = p.getContentType().split(";")[0].trim().toLowerCase(java.util.Locale.ROOT);
    if (!type.startsWith("multipart/")) {
      return type;
    }
    MimeMultipart mp = (MimeMultipart) p.getContent();
    List<String> children = new ArrayList<>();
    for (int i = 0; i < mp.getCount(); i++) {
      BodyPart part = mp.getBodyPart(i);
      children.add(tree(part));
    }
    return type + "[" + String.join(",", children) + "]";
  }
}
