package dev.ums.email;

import dev.ums.email.smtp.SmtpEndpoint;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * The sender, and where its mail goes: the configured relay, or in development mode without one the
 * embedded capture inbox.
 */
@Configuration(proxyBeanMethods = false)
class EmailConfig {

  /** Started before the sender is built, stopped on shutdown. */
  @Bean(destroyMethod = "close")
  @Conditional(CaptureInboxMode.class)
  DevInbox devInbox(DevInboxProperties props) {
    return DevInbox.start(props);
  }

  /**
   * Jakarta Mail's JVM-wide look-up settings, applied here, once, before the sender is built (see
   * {@link JakartaMailTuning} for why they cannot be per session).
   */
  @Bean
  JakartaMailTuning jakartaMailTuning() {
    return JakartaMailTuning.apply();
  }

  /** Closed on shutdown: idle connections go at once, busy ones when their send ends. */
  @Bean(destroyMethod = "close")
  EmailSender emailSender(
      SmtpProperties props,
      SmtpEndpoint endpoint,
      Clock clock,
      DkimSigner dkim,
      JakartaMailTuning tuning) {
    // tuning is a parameter so that it comes first
    return new EmailSender(props, endpoint, clock, dkim);
  }

  /** The DKIM keys, read at start-up: a missing or bad key file stops it, naming the setting. */
  @Bean
  DkimSigner dkimSigner(DkimProperties props) {
    return DkimSigner.load(props);
  }

  @Bean
  SmtpEndpoint smtpEndpoint(SmtpProperties props, ObjectProvider<DevInbox> inbox) {
    DevInbox dev = inbox.getIfAvailable();
    return dev != null ? dev.endpoint() : SmtpEndpoint.relay(props);
  }
}
