package dev.ums.email;

import static org.assertj.core.api.Assertions.assertThat;

import com.icegreen.greenmail.junit5.GreenMailExtension;
import com.icegreen.greenmail.util.ServerSetup;
import dev.ums.ledger.FailureClass;
import jakarta.mail.Message;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** EmailSender against a real SMTP server (GreenMail): MIME shape and connection reuse. */
class EmailSenderTest {

  @RegisterExtension
  static final GreenMailExtension greenMail =
      new GreenMailExtension(new ServerSetup(0, "127.0.0.1", "smtp").dynamicPort());

  private EmailSender sender;

  @AfterEach
  void closeSender() {
    if (sender != null) {
      sender.close();
    }
  }

  private int port() {
    return greenMail.getSmtp().getPort();
  }

  @Test
  void delivers_text_and_html_as_multipart_alternative_with_utf8_subject_and_names()
      throws Exception {
    sender = Senders.sender(port());
    String subject = "Grüße — 你好 ✓ a long subject that needs folding when encoded as UTF-8 words";
    Email email =
        new Email(
            "<0190abcd-0000-7000-8000-000000000001@ums.localhost>",
            "Zoë Ünïcødé <sender@ums.test>",
            List.of("Ann Lee <ann@example.com>"),
            List.of("carl@example.com"),
            List.of("bob@example.com"),
            "Støtte <support@ums.test>",
            subject,
            "Hej — plain",
            "<p>Hej — <b>html</b></p>",
            Map.of("X-Campaign", "spring-2026"));

    SendResult result = sender.send(email);

    assertThat(result.reply()).startsWith("250");
    assertThat(result.refused()).isEmpty();
    MimeMessage[] received = greenMail.getReceivedMessages();
    assertThat(received).hasSize(3); // one copy per envelope recipient
    for (MimeMessage m : received) {
      assertThat(m.getSubject()).isEqualTo(subject);
      assertThat(m.getHeader("Subject")[0]).contains("=?UTF-8?");
      assertThat(m.getMessageID())
          .isEqualTo("<0190abcd-0000-7000-8000-000000000001@ums.localhost>");
      assertThat(m.getHeader("Bcc")).isNull();
      assertThat(m.getHeader("X-Campaign")).containsExactly("spring-2026");
      assertThat(m.getSentDate()).isNotNull();
      InternetAddress from = (InternetAddress) m.getFrom()[0];
      assertThat(from.getPersonal()).isEqualTo("Zoë Ünïcødé");
      assertThat(from.getAddress()).isEqualTo("sender@ums.test");
      assertThat(((InternetAddress) m.getReplyTo()[0]).getPersonal()).isEqualTo("Støtte");
      assertThat(m.getRecipients(Message.RecipientType.TO))
          .extracting(a -> ((InternetAddress) a).getAddress())
          .containsExactly("ann@example.com");
      assertThat(m.getRecipients(Message.RecipientType.CC))
          .extracting(a -> ((InternetAddress) a).getAddress())
          .containsExactly("carl@example.com");
      assertThat(m.getContentType()).startsWith("multipart/alternative");
      MimeMultipart alt = (MimeMultipart) m.getContent();
      assertThat(alt.getCount()).isEqualTo(2);
      assertThat(alt.getBodyPart(0).getContentType()).startsWith("text/plain; charset=UTF-8");
      assertThat(alt.getBodyPart(0).getContent()).isEqualTo("Hej — plain");
      assertThat(alt.getBodyPart(1).getContentType()).startsWith("text/html; charset=UTF-8");
      assertThat(alt.getBodyPart(1).getContent()).isEqualTo("<p>Hej — <b>html</b></p>");
    }
    List<MimeMessage> toBob =
        greenMail
            .findReceivedMessages(u -> u.getEmail().equals("bob@example.com"), m -> true)
            .toList();
    assertThat(toBob).hasSize(1);
  }

  @Test
  void text_only_is_text_plain_and_html_only_is_text_html() throws Exception {
    sender = Senders.sender(port());
    Email text =
        new Email(
            "<t1@ums.test>",
            "a@ums.test",
            List.of("x@example.com"),
            null,
            null,
            null,
            null,
            "only text",
            null,
            null);
    Email html =
        new Email(
            "<h1@ums.test>",
            "a@ums.test",
            List.of("y@example.com"),
            null,
            null,
            null,
            "s",
            null,
            "<i>only html</i>",
            null);

    sender.send(text);
    sender.send(html);

    MimeMessage t = greenMail.getReceivedMessagesForDomain("example.com")[0];
    MimeMessage h = greenMail.getReceivedMessagesForDomain("example.com")[1];
    assertThat(t.getContentType()).startsWith("text/plain; charset=UTF-8");
    assertThat(t.getContent()).isEqualTo("only text");
    assertThat(h.getContentType()).startsWith("text/html; charset=UTF-8");
    assertThat(h.getContent()).isEqualTo("<i>only html</i>");
  }

  @Test
  void reuses_pooled_connections_across_many_concurrent_sends() throws Exception {
    sender = Senders.sender(port(), 2, java.time.Duration.ofSeconds(5));
    ExecutorService pool = Executors.newFixedThreadPool(6);
    try {
      List<Future<SendResult>> futures = new ArrayList<>();
      for (int i = 0; i < 50; i++) {
        Email e = Senders.simple("reuse-" + i, "r" + i + "@example.com");
        futures.add(pool.submit(() -> sender.send(e)));
      }
      for (Future<SendResult> f : futures) {
        assertThat(f.get().reply()).startsWith("250");
      }
    } finally {
      pool.shutdownNow();
    }

    assertThat(greenMail.getReceivedMessages()).hasSize(50);
    assertThat(sender.connectionsOpened()).isBetween(1, 2);
  }

  @Test
  void structural_header_in_custom_headers_is_refused_as_permanent() {
    sender = Senders.sender(port());
    Email e =
        new Email(
            "<h@ums.test>",
            "a@ums.test",
            List.of("x@example.com"),
            null,
            null,
            null,
            "s",
            "t",
            null,
            Map.of("Bcc", "spy@example.com"));

    org.assertj.core.api.Assertions.assertThatThrownBy(() -> sender.send(e))
        .isInstanceOfSatisfying(
            SmtpSendException.class,
            x -> assertThat(x.classification()).isEqualTo(FailureClass.PERMANENT));
    assertThat(greenMail.getReceivedMessages()).isEmpty();
    assertThat(sender.connectionsOpened()).isZero();
  }
}
