package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.sender.AllowedSenders;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.util.unit.DataSize;

/** Attachments and tags as intake checks them: each 400, 413 and 422, and file name cleaning. */
class ComposeValidatorTest {

  private static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

  private final MessageValidator validator =
      new MessageValidator(
          new MailProperties("UMS <no-reply@ums.localhost>", "ums.localhost", null),
          new LimitsProperties(
              DataSize.ofMegabytes(10),
              50,
              500,
              DataSize.ofMegabytes(64),
              Duration.ofDays(30),
              List.of(),
              DataSize.ofBytes(1000),
              List.of("exe", ".JS"),
              List.of("application/x-msdownload")));

  static SendRequest.AttachmentRequest file(String name, String type, int bytes) {
    return new SendRequest.AttachmentRequest(name, type, new byte[bytes], null, null);
  }

  static SendRequest request(
      List<SendRequest.AttachmentRequest> attachments, Map<String, String> tags) {
    return new SendRequest(
        null,
        List.of("ann@example.com"),
        null,
        null,
        null,
        "Hi",
        "hi",
        null,
        null,
        null,
        null,
        null,
        attachments,
        tags,
        null);
  }

  MessageValidator.Checked check(SendRequest r) {
    return validator.check(r, NOW, AllowedSenders.NONE);
  }

  static List<String> fields(List<FieldProblem> problems) {
    return problems.stream().map(FieldProblem::field).toList();
  }

  @Test
  void accepts_attachments_and_keeps_their_bytes_type_disposition_and_content_id() {
    byte[] pdf = "%PDF-1.7".getBytes(StandardCharsets.US_ASCII);
    MessageValidator.Checked c =
        check(
            request(
                List.of(
                    new SendRequest.AttachmentRequest("a.pdf", "Application/PDF", pdf, null, null),
                    new SendRequest.AttachmentRequest(
                        "logo.png", "image/png", new byte[3], "logo@shop", "inline")),
                null));

    assertThat(c.errors()).isEmpty();
    List<MailContent.Attachment> a = c.content().attachmentList();
    assertThat(a).hasSize(2);
    assertThat(a.get(0).content()).isEqualTo(pdf);
    assertThat(a.get(0).contentType()).isEqualTo("application/pdf");
    assertThat(a.get(0).disposition()).isEqualTo("attachment");
    assertThat(a.get(1).inline()).isTrue();
    assertThat(a.get(1).contentId()).isEqualTo("logo@shop");
  }

  @Test
  void attachments_over_the_limit_together_are_413_even_when_each_fits() {
    assertThatThrownBy(
            () -> check(request(List.of(file("a.bin", null, 600), file("b.bin", null, 401)), null)))
        .isInstanceOfSatisfying(
            ApiProblem.class, p -> assertThat(p.status()).isEqualTo(HttpStatus.CONTENT_TOO_LARGE));
    assertThat(
            check(request(List.of(file("a.bin", null, 600), file("b.bin", null, 400)), null)).ok())
        .isTrue();
  }

  @Test
  void malformed_attachments_are_400_naming_each_field() {
    MessageValidator.Checked c =
        check(
            request(
                List.of(
                    new SendRequest.AttachmentRequest(null, "text/plain", null, null, null),
                    new SendRequest.AttachmentRequest("a.txt", "text", new byte[1], null, null),
                    new SendRequest.AttachmentRequest(
                        "b.txt", "multipart/mixed", new byte[1], null, null),
                    new SendRequest.AttachmentRequest("c.txt", null, new byte[1], null, "download"),
                    new SendRequest.AttachmentRequest(
                        "d.png", null, new byte[1], "<x@y>", "inline"),
                    new SendRequest.AttachmentRequest("e.png", null, new byte[1], "dup", "inline"),
                    new SendRequest.AttachmentRequest("f.png", null, new byte[1], "dup", "inline"),
                    new SendRequest.AttachmentRequest(
                        "x".repeat(256), null, new byte[1], null, null)),
                null));

    assertThat(fields(c.errors()))
        .containsExactly(
            "attachments[0].content",
            "attachments[0].filename",
            "attachments[1].contentType",
            "attachments[2].contentType",
            "attachments[3].disposition",
            "attachments[4].contentId",
            "attachments[6].contentId",
            "attachments[7].filename");
  }

  @Test
  void refused_types_by_extension_or_content_type_are_422_entries() {
    MessageValidator.Checked c =
        check(
            request(
                List.of(
                    file("setup.EXE", "application/octet-stream", 1),
                    file("invoice.pdf.exe. . ", "application/pdf", 1),
                    file("app.js", "text/plain", 1),
                    file("ok.pdf", "application/x-msdownload", 1),
                    file("fine.pdf", "application/pdf", 1)),
                null));

    assertThat(c.errors()).isEmpty();
    assertThat(fields(c.refusedFiles()))
        .containsExactly(
            "attachments[0].filename",
            "attachments[1].filename",
            "attachments[2].filename",
            "attachments[3].contentType");
    assertThat(c.refusedFiles().get(0).message()).contains(".exe");
    assertThat(c.content()).isNull();
  }

  @Test
  void too_many_attachments_is_400() {
    List<SendRequest.AttachmentRequest> many = new ArrayList<>();
    for (int i = 0; i <= MessageValidator.MAX_ATTACHMENTS; i++) {
      many.add(file(i + ".txt", "text/plain", 1));
    }
    assertThat(fields(check(request(many, null)).errors())).containsExactly("attachments");
  }

  @Test
  void file_names_lose_paths_control_and_reserved_characters() {
    Map<String, String> cases = new LinkedHashMap<>();
    cases.put("report.pdf", "report.pdf");
    cases.put("../../etc/passwd", "passwd");
    cases.put("C:\\Users\\ann\\invoice.pdf", "invoice.pdf");
    cases.put("in\u0000voi\u0007ce\r\n.pdf", "invoice.pdf");
    cases.put("evil\u202Efdp.exe", "evilfdp.exe");
    cases.put("zero\u200Bwidth.pdf", "zerowidth.pdf");
    cases.put("a:b*c?d<e>f|g\".txt", "a_b_c_d_e_f_g_.txt");
    cases.put("trailing.exe. . ", "trailing.exe");
    cases.put("  spaced name.pdf  ", "spaced name.pdf");
    cases.put("Rechnung Ma\u0308rz.pdf", "Rechnung M\u00e4rz.pdf"); // NFC
    cases.put("...", "attachment");
    cases.put("dir/", "attachment");
    cases.forEach(
        (raw, clean) ->
            assertThat(MessageValidator.sanitizeFilename(raw)).as(raw).isEqualTo(clean));
  }

  @Test
  void tags_are_checked_and_stored_sorted_as_name_value() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("kind", "receipt");
    tags.put("campaign", "spring-2026 a:b");
    MessageValidator.Checked c = check(request(null, tags));

    assertThat(c.errors()).isEmpty();
    assertThat(c.tags()).containsExactly("campaign:spring-2026 a:b", "kind:receipt");
    assertThat(check(request(null, null)).tags()).isNull();
  }

  @Test
  void bad_tags_are_400_naming_each() {
    Map<String, String> tags = new LinkedHashMap<>();
    tags.put("Kind", "x");
    tags.put("ok", "");
    tags.put("long", "v".repeat(65));
    tags.put("utf", "é");
    tags.put("ctl", "a\nb");
    tags.put("a".repeat(33), "x");
    assertThat(fields(check(request(null, tags)).errors()))
        .containsExactly(
            "tags.Kind", "tags.ok", "tags.long", "tags.utf", "tags.ctl", "tags." + "a".repeat(33));

    Map<String, String> many = new LinkedHashMap<>();
    for (int i = 0; i <= MessageValidator.MAX_TAGS; i++) {
      many.put("t" + i, "v");
    }
    assertThat(fields(check(request(null, many)).errors())).containsExactly("tags");
  }

  @Test
  void tag_filters_are_name_colon_value() {
    List<FieldProblem> errors = new ArrayList<>();
    assertThat(Tags.filter(List.of("kind:receipt", "a:b:c"), errors))
        .containsExactly("kind:receipt", "a:b:c");
    assertThat(errors).isEmpty();
    for (String bad : List.of("kind", "Kind:x", "kind:", ":x", "k:é")) {
      List<FieldProblem> e = new ArrayList<>();
      assertThat(Tags.filter(List.of(bad), e)).as(bad).isNull();
      assertThat(fields(e)).as(bad).containsExactly("tag");
    }
  }
}
