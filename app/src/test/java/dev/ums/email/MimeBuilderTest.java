package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** The rendered bytes, read back by Jakarta Mail's parser, say what the email says. */
class MimeBuilderTest {

  private final Session session = Session.getInstance(new Properties());
  private final Clock clock = Clock.fixed(Instant.parse("2026-11-25T10:15:30Z"), ZoneOffset.UTC);

  private byte[] render(Email e) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    MimeBuilder.build(session, e, clock).mime().writeTo(out, new String[] {"Bcc"});
    return out.toByteArray();
  }

  private MimeMessage parse(byte[] bytes) throws Exception {
    return new MimeMessage(session, new ByteArrayInputStream(bytes));
  }

  @Test
  void two_bodies_become_multipart_alternative_with_every_header_readable() throws Exception {
    String subject = "Grüße — 你好 ✓ a long subject that needs folding when encoded as UTF-8 words";
    String longLine = "x".repeat(1200);
    Email e =
        new Email(
            "<m1@ums.test>",
            "Zoë Ünal <from@example.com>",
            List.of("Ann <ann@example.com>", "bob@example.com"),
            List.of("cc@example.com"),
            List.of("hidden@example.com"),
            "reply@example.com",
            subject,
            "Hej — plain\n.starts with a dot\n" + longLine,
            "<p>plain ascii html</p>",
            Map.of("X-Campaign", "Été 2026"));
    byte[] bytes = render(e);
    String raw = new String(bytes, StandardCharsets.UTF_8);
    MimeMessage m = parse(bytes);

    assertThat(m.getMessageID()).isEqualTo("<m1@ums.test>");
    assertThat(m.getSubject()).isEqualTo(subject);
    assertThat(((InternetAddress) m.getFrom()[0]).getPersonal()).isEqualTo("Zoë Ünal");
    assertThat(m.getRecipients(Message.RecipientType.TO))
        .extracting(a -> ((InternetAddress) a).getAddress())
        .containsExactly("ann@example.com", "bob@example.com");
    assertThat(m.getRecipients(Message.RecipientType.CC)).hasSize(1);
    assertThat(m.getHeader("Bcc")).isNull();
    assertThat(MimeBuilder.build(session, e, clock).envelope())
        .extracting(a -> ((InternetAddress) a).getAddress())
        .containsExactly(
            "ann@example.com", "bob@example.com", "cc@example.com", "hidden@example.com");
    assertThat(raw).doesNotContain("hidden@example.com");
    assertThat(((InternetAddress) m.getReplyTo()[0]).getAddress()).isEqualTo("reply@example.com");
    assertThat(m.getSentDate()).isEqualTo(java.util.Date.from(clock.instant()));
    assertThat(m.getHeader("X-Campaign", null)).startsWith("=?UTF-8?");
    assertThat(jakarta.mail.internet.MimeUtility.decodeText(m.getHeader("X-Campaign", null)))
        .isEqualTo("Été 2026");
    assertThat(m.getHeader("MIME-Version", null)).isEqualTo("1.0");
    // Every header line is ASCII and no line of the whole message exceeds 998 characters.
    String headers = raw.substring(0, raw.indexOf("\r\n\r\n"));
    assertThat(headers.chars().allMatch(c -> c < 128)).isTrue();
    assertThat(raw.split("\r\n")).allMatch(line -> line.length() <= 998);

    MimeMultipart alt = (MimeMultipart) m.getContent();
    assertThat(m.getContentType()).startsWith("multipart/alternative");
    assertThat(alt.getCount()).isEqualTo(2);
    assertThat(alt.getBodyPart(0).getContentType()).startsWith("text/plain; charset=UTF-8");
    assertThat(alt.getBodyPart(0).getHeader("Content-Transfer-Encoding")[0])
        .isEqualTo("quoted-printable");
    assertThat(((String) alt.getBodyPart(0).getContent()).replace("\r\n", "\n"))
        .isEqualTo("Hej — plain\n.starts with a dot\n" + longLine);
    assertThat(alt.getBodyPart(1).getContentType()).startsWith("text/html; charset=UTF-8");
    assertThat(alt.getBodyPart(1).getHeader("Content-Transfer-Encoding")[0]).isEqualTo("7bit");
    assertThat(alt.getBodyPart(1).getContent()).isEqualTo("<p>plain ascii html</p>");
  }

  @Test
  void a_single_body_is_a_single_text_part() throws Exception {
    Email textOnly =
        new Email(
            "<m2@ums.test>",
            "a@example.com",
            List.of("b@example.com"),
            null,
            null,
            null,
            null,
            "only text",
            null,
            null);
    MimeMessage t = parse(render(textOnly));
    assertThat(t.getContentType()).startsWith("text/plain; charset=UTF-8");
    assertThat(t.getContent()).isEqualTo("only text");
    assertThat(t.getSubject()).isNull();

    Email htmlOnly =
        new Email(
            "<m3@ums.test>",
            "a@example.com",
            List.of("b@example.com"),
            null,
            null,
            null,
            "s",
            null,
            "<i>only html — ü</i>",
            null);
    MimeMessage h = parse(render(htmlOnly));
    assertThat(h.getContentType()).startsWith("text/html; charset=UTF-8");
    assertThat(h.getContent()).isEqualTo("<i>only html — ü</i>");
  }

  @Test
  void a_998_character_subject_without_spaces_renders_every_header_line_within_998()
      throws Exception {
    String subject = "s".repeat(998);
    String mixed = "a ".repeat(10) + "ü".repeat(400) + "z".repeat(500); // long unbreakable runs
    String headerValue = "v".repeat(998);
    Email e =
        new Email(
            "<m4@ums.test>",
            "a@example.com",
            List.of("b@example.com"),
            null,
            null,
            null,
            subject,
            "text",
            null,
            Map.of("X-Long-Header-Name-" + "n".repeat(50), headerValue, "X-Mixed", mixed));
    byte[] bytes = render(e);
    String raw = new String(bytes, StandardCharsets.US_ASCII);
    String headers = raw.substring(0, raw.indexOf("\r\n\r\n"));

    assertThat(headers.split("\r\n")).allMatch(line -> line.length() <= 998);
    MimeMessage m = parse(bytes);
    assertThat(m.getSubject()).isEqualTo(subject);
    assertThat(
            jakarta.mail.internet.MimeUtility.decodeText(
                jakarta.mail.internet.MimeUtility.unfold(
                    m.getHeader("X-Long-Header-Name-" + "n".repeat(50), null))))
        .isEqualTo(headerValue);
    assertThat(
            jakarta.mail.internet.MimeUtility.decodeText(
                jakarta.mail.internet.MimeUtility.unfold(m.getHeader("X-Mixed", null))))
        .isEqualTo(mixed);
  }

  @Test
  void encoded_words_never_split_a_character_and_join_back_to_the_text() throws Exception {
    String text = "x".repeat(44) + "😀" + "é".repeat(30);

    String words = MimeBuilder.encodedWords(text);

    assertThat(words.split("\r\n ")).allMatch(w -> w.length() <= 75);
    assertThat(jakarta.mail.internet.MimeUtility.decodeText(words.replace("\r\n", "")))
        .isEqualTo(text);
  }

  @Test
  void seven_bit_only_for_short_ascii_lines() {
    assertThat(MimeBuilder.isShortLineAscii("plain\r\nlines\n")).isTrue();
    assertThat(MimeBuilder.isShortLineAscii("é")).isFalse();
    assertThat(MimeBuilder.isShortLineAscii("bare\rcr")).isFalse();
    assertThat(MimeBuilder.isShortLineAscii("y".repeat(998))).isTrue();
    assertThat(MimeBuilder.isShortLineAscii("y".repeat(999))).isFalse();
  }
}
