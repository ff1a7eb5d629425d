package dev.ums.email.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.email.SmtpProperties;
import java.time.Duration;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class SessionPropertiesTest {

  private static SmtpProperties relay(SmtpProperties.Tls tls, String user, String trust) {
    return new SmtpProperties(
        "smtp.example.com",
        587,
        user,
        "secret",
        tls,
        trust,
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(20),
        8,
        "ums.example.com");
  }

  @Test
  void starttls_relay_with_auth_requires_tls_checks_identity_and_sets_timeouts() {
    SmtpProperties p = relay(SmtpProperties.Tls.STARTTLS, "ums", null);
    Properties s = SessionProperties.of(p, SmtpEndpoint.relay(p), "smtp");

    assertThat(s.getProperty("mail.smtp.starttls.enable")).isEqualTo("true");
    assertThat(s.getProperty("mail.smtp.starttls.required")).isEqualTo("true");
    assertThat(s.getProperty("mail.smtp.ssl.checkserveridentity")).isEqualTo("true");
    assertThat(s.getProperty("mail.smtp.auth")).isEqualTo("true");
    assertThat(s.getProperty("mail.smtp.connectiontimeout")).isEqualTo("5000");
    assertThat(s.getProperty("mail.smtp.timeout")).isEqualTo("30000");
    assertThat(s.getProperty("mail.smtp.writetimeout")).isEqualTo("20000");
    assertThat(s.getProperty("mail.smtp.sendpartial")).isEqualTo("true");
    assertThat(s.getProperty("mail.smtp.localhost")).isEqualTo("ums.example.com");
    assertThat(s).doesNotContainValue("secret");
  }

  @Test
  void no_username_means_no_auth() {
    SmtpProperties p = relay(SmtpProperties.Tls.NONE, null, null);
    Properties s = SessionProperties.of(p, SmtpEndpoint.relay(p), "smtp");

    assertThat(s.getProperty("mail.smtp.auth")).isEqualTo("false");
    assertThat(s.getProperty("mail.smtp.starttls.enable")).isNull();
  }

  @Test
  void capture_inbox_ignores_tls_and_auth_settings() {
    SmtpProperties p = relay(SmtpProperties.Tls.IMPLICIT, "ums", "*");
    Properties s = SessionProperties.of(p, SmtpEndpoint.capture("127.0.0.1", 2525), "smtp");

    assertThat(s.getProperty("mail.smtp.host")).isEqualTo("127.0.0.1");
    assertThat(s.getProperty("mail.smtp.port")).isEqualTo("2525");
    assertThat(s.getProperty("mail.smtp.auth")).isNull();
    assertThat(s.getProperty("mail.smtp.ssl.enable")).isNull();
  }

  @Test
  void password_never_appears_in_the_properties_string() {
    assertThat(relay(SmtpProperties.Tls.STARTTLS, "ums", null).toString()).doesNotContain("secret");
  }
}
