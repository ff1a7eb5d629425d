package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.TestSmtp;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

/**
 * End to end over real HTTP, the dispatcher and a real SMTP server: a templated message with an
 * attachment and an inline image arrives as rendered; a full 10 MB attachment set can be posted and
 * delivered; the variables, file names and file bytes are in no table and no log line.
 */
@DispatchIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class ComposeDeliveryTest {

  @Autowired Http http;
  @Autowired Db db;

  String sent(Http.Answer a) {
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    String id = a.json().get("id").asString();
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> http.get("/api/messages/" + id).json().get("status").asString().equals("SENT"));
    return id;
  }

  MimeMessage received(String id) {
    return TestSmtp.received().stream()
        .filter(m -> TestSmtp.messageId(m).contains(id))
        .findFirst()
        .orElseThrow();
  }

  static List<Part> leaves(Part p) throws Exception {
    List<Part> out = new ArrayList<>();
    if (p.isMimeType("multipart/*")) {
      Multipart mp = (Multipart) p.getContent();
      for (int i = 0; i < mp.getCount(); i++) {
        out.addAll(leaves(mp.getBodyPart(i)));
      }
    } else {
      out.add(p);
    }
    return out;
  }

  static byte[] bytes(Part p) throws Exception {
    try (InputStream in = ((MimeBodyPart) p).getInputStream()) {
      return in.readAllBytes();
    }
  }

  @Test
  void a_templated_message_with_attachments_arrives_as_rendered_and_leaves_no_trace(
      CapturedOutput output) throws Exception {
    String marker = "zq" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    Http.Answer t =
        http.postJson(
            "/api/templates",
            """
            {"name": "receipt", "subject": "Receipt for {{name}}",
             "html": "<p>Hello {{name}}</p><img src=\\"cid:logo@shop\\">",
             "text": "Hello {{name}}"}
            """);
    assertThat(t.status()).as(t.body()).isEqualTo(201);
    byte[] pdf = ("%PDF-1.7 " + marker).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] png = new byte[2048];
    new Random(7).nextBytes(png);

    String id =
        sent(
            http.postJson(
                "/api/messages",
                """
                {"to": ["ann@example.com"],
                 "template": {"name": "receipt", "variables": {"name": "Ann <%s>"}},
                 "attachments": [
                   {"filename": "Rechnung März %s.pdf", "contentType": "application/pdf",
                    "content": "%s"},
                   {"filename": "logo.png", "contentType": "image/png", "content": "%s",
                    "contentId": "logo@shop", "disposition": "inline"}],
                 "tags": {"kind": "receipt"}}
                """
                    .formatted(
                        marker,
                        marker,
                        Base64.getEncoder().encodeToString(pdf),
                        Base64.getEncoder().encodeToString(png))));

    MimeMessage m = received(id);
    assertThat(m.getSubject()).isEqualTo("Receipt for Ann <" + marker + ">");
    assertThat(m.getContentType()).startsWith("multipart/mixed");
    List<Part> parts = leaves(m);
    assertThat(parts).hasSize(4);
    assertThat(((String) parts.get(0).getContent()).trim()).isEqualTo("Hello Ann <" + marker + ">");
    assertThat(((String) parts.get(1).getContent()).trim())
        .isEqualTo("<p>Hello Ann &lt;" + marker + "&gt;</p><img src=\"cid:logo@shop\">");
    assertThat(((MimeBodyPart) parts.get(2)).getContentID()).isEqualTo("<logo@shop>");
    assertThat(bytes(parts.get(2))).isEqualTo(png);
    assertThat(parts.get(3).getFileName()).isEqualTo("Rechnung März " + marker + ".pdf");
    assertThat(bytes(parts.get(3))).isEqualTo(pdf);

    // Variables, file names and file bytes: in the mail, and nowhere else.
    List<Map<String, Object>> columns =
        db.jdbc()
            .queryForList(
                """
                SELECT table_name, column_name, data_type FROM information_schema.columns
                 WHERE table_schema = 'public'
                   AND data_type IN ('text', 'character varying', 'character', 'bytea', 'ARRAY')
                """);
    for (Map<String, Object> c : columns) {
      String column = (String) c.get("column_name");
      String test =
          switch ((String) c.get("data_type")) {
            case "bytea" -> "position(convert_to(?, 'UTF8') in \"" + column + "\") > 0";
            case "ARRAY" -> "array_to_string(\"" + column + "\", ',') LIKE '%' || ? || '%'";
            default -> "\"" + column + "\" LIKE '%' || ? || '%'";
          };
      Integer hits =
          db.jdbc()
              .queryForObject(
                  "SELECT COUNT(*) FROM \"" + c.get("table_name") + "\" WHERE " + test,
                  Integer.class,
                  marker);
      assertThat(hits).as(c.get("table_name") + "." + column).isZero();
    }
    assertThat(output.getAll()).doesNotContain(marker);
  }

  @Test
  void a_full_ten_megabyte_attachment_set_is_accepted_and_delivered_and_one_byte_more_is_413()
      throws Exception {
    // One file of nearly 10 MB: its base64 (13.3 MB) is a longer JSON string than the message
    // limit (10 MB), so this also shows the string limit makes room for it.
    byte[] a = new byte[10 * 1024 * 1024 - 1000];
    byte[] b = new byte[1000];
    new Random(1).nextBytes(a);
    new Random(2).nextBytes(b);
    String body =
        """
        {"to": ["ann@example.com"], "subject": "Files", "text": "Two files",
         "attachments": [{"filename": "a.bin", "content": "%s"},
                         {"filename": "b.bin", "content": "%s"}]}
        """;

    String id =
        sent(
            http.postJson(
                "/api/messages",
                body.formatted(
                    Base64.getEncoder().encodeToString(a), Base64.getEncoder().encodeToString(b))));

    List<Part> parts = leaves(received(id));
    assertThat(parts).hasSize(3);
    assertThat(bytes(parts.get(1))).isEqualTo(a);
    assertThat(bytes(parts.get(2))).isEqualTo(b);

    Http.Answer over =
        http.postJson(
            "/api/messages",
            body.formatted(
                Base64.getEncoder().encodeToString(a),
                Base64.getEncoder().encodeToString(new byte[b.length + 1])));
    assertThat(over.status()).isEqualTo(413);
    assertThat(over.json().get("type").asString()).isEqualTo("/problems/too-large");
    assertThat(over.json().get("limit").asLong()).isEqualTo(10L * 1024 * 1024);
  }
}
