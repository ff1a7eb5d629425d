package dev.ums.console;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.email.DevInbox;
import dev.ums.testing.Http;
import dev.ums.testing.UmsIntegrationTest;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import java.net.http.HttpResponse;
import java.util.Properties;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebElement;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The console in development mode (capture inbox, no relay) in a real headless Chromium: a caught
 * mail with its HTML part in a sandboxed frame, and a message's content shown only on request.
 */
@UmsIntegrationTest
class ConsoleInboxBrowserTest {

  @Autowired Http http;
  @Autowired DevInbox inbox;

  static Browser browser;

  @BeforeEach
  void fresh() {
    if (browser == null) {
      browser = new Browser(http.base());
    }
    browser.size(1280, 1000);
    browser.resetSession();
  }

  @AfterAll
  static void closeBrowser() {
    if (browser != null) {
      browser.close();
      browser = null;
    }
  }

  /** Hands a text + HTML mail to the capture inbox over SMTP, as the dispatcher would. */
  void capture(String messageId, String subject, String html) throws Exception {
    Properties p = new Properties();
    p.put("mail.smtp.host", "127.0.0.1");
    p.put("mail.smtp.port", Integer.toString(inbox.port()));
    Session session = Session.getInstance(p);
    MimeMessage m =
        new MimeMessage(session) {
          @Override
          protected void updateMessageID() throws jakarta.mail.MessagingException {
            setHeader("Message-ID", messageId);
          }
        };
    m.setFrom(new InternetAddress("UMS <no-reply@ums.test>"));
    m.setRecipient(Message.RecipientType.TO, new InternetAddress("ann@inbox.example"));
    m.setSubject(subject);
    MimeMultipart alt = new MimeMultipart("alternative");
    MimeBodyPart text = new MimeBodyPart();
    text.setText("Plain words for Ann", "UTF-8");
    MimeBodyPart rich = new MimeBodyPart();
    rich.setContent(html, "text/html; charset=UTF-8");
    alt.addBodyPart(text);
    alt.addBodyPart(rich);
    m.setContent(alt);
    Transport.send(m);
  }

  @Test
  void a_captured_mail_shows_its_headers_text_and_a_sandboxed_html_part() throws Exception {
    String id = "<" + UUID.randomUUID() + "@ums.test>";
    capture(
        id,
        "Console capture",
        "<h1 id='greeting'>Hello Ann</h1><script>document.title='ran'</script>"
            + "<img src='http://127.0.0.1:9/pixel.png'>");
    browser.signIn(Http.ADMIN_KEY);

    browser.open("/console/inbox");
    assertThat(browser.text("#inbox")).contains("Console capture").contains("ann@inbox.example");
    browser.screenshot("inbox");
    browser.click("#inbox a");

    assertThat(browser.text("h1")).isEqualTo("Console capture");
    assertThat(browser.text("#mail-text")).contains("Plain words for Ann");
    assertThat(browser.text("#headers")).contains("Message-ID");
    WebElement frame = browser.find("#mail-html");
    assertThat(frame.getAttribute("sandbox")).isEmpty(); // present and allowing nothing
    browser.screenshot("inbox-mail");
    browser.driver().switchTo().frame(frame);
    assertThat(browser.driver().findElement(By.id("greeting")).getText()).isEqualTo("Hello Ann");
    assertThat(browser.driver().getTitle()).isNotEqualTo("ran"); // no script ran
    browser.driver().switchTo().defaultContent();

    // The HTML part is served with a policy of its own: no script, no network, sandboxed.
    ConsoleClient client = new ConsoleClient(http.base());
    client.signIn(Http.ADMIN_KEY);
    HttpResponse<String> part =
        client.get("/console/inbox/html?id=" + java.net.URLEncoder.encode(id, "UTF-8"));
    assertThat(part.statusCode()).isEqualTo(200);
    assertThat(part.headers().firstValue("Content-Security-Policy").orElseThrow())
        .contains("default-src 'none'")
        .contains("sandbox");
  }

  @Test
  void content_is_shown_only_on_request_and_the_read_is_audited() {
    Http.Answer sent =
        http.postJson(
            "/api/messages",
            "{\"to\": [\"bea@content.example\"], \"subject\": \"Private subject\","
                + " \"text\": \"private body\", \"html\": \"<p>private <b>html</b></p>\"}");
    String id = sent.json().get("id").asString();
    browser.signIn(Http.ADMIN_KEY);

    browser.open("/console/messages/" + id);
    assertThat(browser.driver().getPageSource())
        .doesNotContain("bea@content.example")
        .doesNotContain("Private subject");
    browser.click("#show-content");
    assertThat(browser.text("main")).contains("message.read_content");
    assertThat(browser.driver().getPageSource()).doesNotContain("Private subject");
    browser.click("#confirm");

    assertThat(browser.text("#content"))
        .contains("bea@content.example")
        .contains("Private subject");
    assertThat(browser.find("iframe.mail").getAttribute("sandbox")).isEmpty();
    browser.screenshot("message-content");
    assertThat(http.get("/api/admin/audit?limit=5").body())
        .contains("\"action\":\"message.read_content\"")
        .contains(id);
  }
}
