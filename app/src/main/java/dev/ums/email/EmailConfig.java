package dev.ums.email;

import dev.ums.email.smtp.SmtpEndpoint;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Configuration;

/**
 * Picks where mail goes: the configured relay, or in development mode without one the embedded
 * capture inbox.
 */
@Configuration(proxyBeanMethods = false)
class EmailConfig {

  /** Started before the sender is built, stopped on shutdown. */
  @Bean(destroyMethod = "close")
  @Conditional(CaptureInboxMode.class)
  DevInbox devInbox(DevInboxProperties props) {
    return DevInbox.start(props);
  }

  @Bean
  SmtpEndpoint smtpEndpoint(SmtpProperties props, ObjectProvider<DevInbox> inbox) {
    DevInbox dev = inbox.getIfAvailable();
    return dev != null ? dev.endpoint() : SmtpEndpoint.relay(props);
  }
}
