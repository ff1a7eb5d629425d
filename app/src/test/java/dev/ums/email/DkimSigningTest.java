package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.ums.email.smtp.SmtpEndpoint;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import jakarta.mail.internet.MimeMessage;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.apache.james.jdkim.api.SignatureRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DKIM signatures as they arrive at a relay, checked by an independent verifier (Apache James
 * jDKIM) against the public key: RSA and Ed25519, on the Jakarta Mail path and on the pipelined
 * path (DATA and BDAT), with attachments, inline images, UTF-8 headers and awkward bodies.
 */
class DkimSigningTest {

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort());

  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2025-03-01T10:00:00Z"), ZoneOffset.UTC);

  static KeyPair rsa;
  static KeyPair ed;

  @BeforeAll
  static void keys() throws Exception {
    rsa = DkimVerification.rsa();
    ed = DkimVerification.ed25519();
  }

  private static DkimSigner signer(String algorithm) {
    return algorithm.equals("rsa")
        ? DkimSigner.of("example.com", "ums1", rsa.getPrivate())
        : DkimSigner.of("example.com", "ums2", ed.getPrivate());
  }

  private static KeyPair pair(String algorithm) {
    return algorithm.equals("rsa") ? rsa : ed;
  }

  /** A mail with every awkward part: UTF-8 names and subject, attachments, odd white space. */
  static Email awkward(String id, String from) {
    byte[] pdf = new byte[70_000];
    new java.util.Random(7).nextBytes(pdf);
    return new Email(
        "<" + id + "@example.com>",
        from,
        List.of("Zoë Åström <zoe@ums.test>", "bob@ums.test"),
        List.of("Carol <carol@ums.test>"),
        List.of("hidden@ums.test"),
        "Støtte <support@example.com>",
        "Faktura für März — ✓ 数据 " + "long subject ".repeat(8),
        "Line one  with   spaces   \n\n.dot line\n..two dots\nTabs\t\there\t\n\n\n\n",
        "<html><body><p>Hällo <img src=\"cid:logo\"></p>\n.\n</body></html>\n",
        Map.of("X-Campaign", "spring  sale ✓"),
        List.of(
            new Email.Attachment("Rechnung März 2025.pdf", "application/pdf", false, null, pdf),
            new Email.Attachment("logo.png", "image/png", true, "logo", new byte[] {1, 2, 3, 4}),
            new Email.Attachment("empty.txt", "text/plain", false, null, new byte[0])));
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa", "ed25519"})
  void rendered_bytes_carry_a_signature_that_verifies(String algorithm) throws Exception {
    byte[] raw =
        EmailSender.render(awkward("r1", "Ann <ann@example.com>"), CLOCK, signer(algorithm));
    List<SignatureRecord> ok = DkimVerification.verify(raw, pair(algorithm).getPublic());
    assertThat(ok).hasSize(1);
    assertThat(ok.get(0).getDToken().toString()).isEqualTo("example.com");
    assertThat(ok.get(0).getHashKeyType().toString()).isEqualTo(algorithm);
    assertThat(ok.get(0).getHeaders().toString()).contains("from", "subject", "content-type");
    assertThat(new String(raw, StandardCharsets.US_ASCII)).startsWith("DKIM-Signature: v=1; a=");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa", "ed25519"})
  void a_changed_byte_fails_verification(String algorithm) throws Exception {
    byte[] raw = EmailSender.render(awkward("r2", "ann@example.com"), CLOCK, signer(algorithm));
    String text = new String(raw, StandardCharsets.ISO_8859_1);
    byte[] body = text.replace("Line one", "Line 0ne").getBytes(StandardCharsets.ISO_8859_1);
    byte[] header = text.replace("Carol", "Karol").getBytes(StandardCharsets.ISO_8859_1);
    assertThatThrownBy(() -> DkimVerification.verify(body, pair(algorithm).getPublic()))
        .isNotNull();
    assertThatThrownBy(() -> DkimVerification.verify(header, pair(algorithm).getPublic()))
        .isNotNull();
  }

  @Test
  void a_subdomain_is_signed_by_its_configured_parent_and_other_domains_go_unsigned()
      throws Exception {
    byte[] sub = EmailSender.render(awkward("r3", "ann@mail.example.com"), CLOCK, signer("rsa"));
    assertThat(DkimVerification.verify(sub, rsa.getPublic()).get(0).getDToken().toString())
        .isEqualTo("example.com");
    byte[] other = EmailSender.render(awkward("r4", "ann@example.org"), CLOCK, signer("rsa"));
    byte[] lookalike =
        EmailSender.render(awkward("r5", "ann@notexample.com"), CLOCK, signer("rsa"));
    byte[] unsigned =
        EmailSender.render(awkward("r4", "ann@example.org"), CLOCK, DkimSigner.none());
    assertThat(new String(other, StandardCharsets.US_ASCII)).doesNotContain("DKIM-Signature");
    assertThat(new String(lookalike, StandardCharsets.US_ASCII)).doesNotContain("DKIM-Signature");
    assertThat(other.length).isEqualTo(unsigned.length);
  }

  /** Jakarta Mail's own SMTP path (no pipelining), into GreenMail and read back as received. */
  @ParameterizedTest
  @ValueSource(strings = {"rsa", "ed25519"})
  void jakarta_mail_path_delivers_a_verifiable_signature(String algorithm) throws Exception {
    SmtpProperties p =
        Senders.props(greenMail.getSmtp().getPort(), 1, Duration.ofSeconds(5), false);
    try (EmailSender s = new EmailSender(p, SmtpEndpoint.relay(p), CLOCK, signer(algorithm))) {
      s.send(awkward("j-" + algorithm, "Ann <ann@example.com>"));
    }
    MimeMessage received = greenMail.getReceivedMessages()[0];
    ByteArrayOutputStream raw = new ByteArrayOutputStream();
    received.writeTo(raw);
    // GreenMail adds Received/Return-Path on top; DKIM ignores headers it did not sign.
    DkimVerification.verify(raw.toByteArray(), pair(algorithm).getPublic());
    assertThat(received.getHeader("DKIM-Signature")).hasSize(1);
  }

  /** The in-house pipelined path, DATA and BDAT, after a first send over Jakarta Mail. */
  @ParameterizedTest
  @ValueSource(strings = {"rsa-data", "rsa-bdat", "ed25519-data", "ed25519-bdat", "rsa-jakarta"})
  void every_path_to_the_relay_sends_a_verifiable_signature(String variant) throws Exception {
    String algorithm = variant.substring(0, variant.indexOf('-'));
    boolean chunking = variant.endsWith("bdat");
    try (ScriptedSmtpServer server = ScriptedSmtpServer.start()) {
      if (chunking) {
        server.advertise("PIPELINING", "CHUNKING", "8BITMIME");
      }
      SmtpProperties p =
          Senders.props(server.port(), 1, Duration.ofSeconds(5), !variant.endsWith("jakarta"));
      try (EmailSender s = new EmailSender(p, SmtpEndpoint.relay(p), CLOCK, signer(algorithm))) {
        for (int i = 0; i < 3; i++) {
          s.send(awkward(variant + i, "ann@example.com"));
        }
      }
      await().until(() -> server.messages().size() == 3);
      for (int i = 0; i < 3; i++) {
        // The first send learns the relay's EHLO over Jakarta Mail (DATA, dot-stuffed); with
        // CHUNKING the next ones go as BDAT, the bytes as they are.
        byte[] wire = server.messages().get(i);
        byte[] raw = chunking && i > 0 ? wire : DkimVerification.unstuff(wire);
        DkimVerification.verify(raw, pair(algorithm).getPublic());
      }
      if (variant.endsWith("bdat")) {
        assertThat(server.commands()).anyMatch(c -> c.startsWith("BDAT"));
      } else if (variant.endsWith("data")) {
        assertThat(server.reads()).anyMatch(c -> c.contains("RCPT TO") && c.contains("DATA"));
      }
    }
  }

  @Test
  void start_up_names_the_setting_of_a_missing_or_bad_key_file(@TempDir Path dir) throws Exception {
    Path missing = dir.resolve("nope.pem");
    DkimProperties props =
        new DkimProperties(
            Map.of(
                "example.com.selector",
                "ums1",
                "example.com.private-key-file",
                missing.toString()));
    assertThatThrownBy(() -> DkimSigner.load(props))
        .hasMessageContaining("ums.dkim.domains.example.com.private-key-file");

    Path junk = Files.writeString(dir.resolve("junk.pem"), "hello");
    assertThatThrownBy(
            () ->
                DkimSigner.load(
                    new DkimProperties(
                        Map.of(
                            "example.com.selector",
                            "ums1",
                            "example.com.private-key-file",
                            junk.toString()))))
        .hasMessageContaining("ums.dkim.domains.example.com.private-key-file");

    assertThatThrownBy(
            () -> new DkimProperties(Map.of("example.com.private-key-file", junk.toString())))
        .hasMessageContaining("ums.dkim.domains.example.com.selector");
  }

  @Test
  void dotted_domain_settings_bind_as_written_in_yaml_or_on_the_command_line() {
    var source =
        new org.springframework.boot.context.properties.source.MapConfigurationPropertySource(
            Map.of(
                "ums.dkim.domains.mail.example-shop.com.selector", "ums2025",
                "ums.dkim.domains.mail.example-shop.com.private-key-file", "/etc/ums/k.pem"));
    DkimProperties bound =
        new org.springframework.boot.context.properties.bind.Binder(source)
            .bind("ums.dkim", DkimProperties.class)
            .get();
    assertThat(bound.signingDomains()).containsOnlyKeys("mail.example-shop.com");
    assertThat(bound.signingDomains().get("mail.example-shop.com").selector()).isEqualTo("ums2025");
  }

  @ParameterizedTest
  @ValueSource(strings = {"rsa", "ed25519"})
  void pem_pkcs8_key_files_load_and_sign(String algorithm, @TempDir Path dir) throws Exception {
    Path pem =
        Files.writeString(
            dir.resolve(algorithm + ".pem"),
            "-----BEGIN PRIVATE KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                    .encodeToString(pair(algorithm).getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
    DkimSigner loaded =
        DkimSigner.load(
            new DkimProperties(
                Map.of(
                    "Example.com.selector",
                    "sel",
                    "example.com.private-key-file",
                    pem.toString())));
    byte[] raw = EmailSender.render(awkward("p1", "ann@EXAMPLE.com"), CLOCK, loaded);
    assertThat(DkimVerification.verify(raw, pair(algorithm).getPublic()).get(0).getSelector())
        .hasToString("sel");
  }
}
