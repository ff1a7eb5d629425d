package dev.ums.testing;

import java.util.Map;
import org.springframework.context.ApplicationContextInitializer;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;

/** Points {@code ums.smtp.port} at the JVM's {@link TestSmtp} server. */
public class TestSmtpPortInitializer
    implements ApplicationContextInitializer<ConfigurableApplicationContext> {

  @Override
  public void initialize(ConfigurableApplicationContext ctx) {
    ctx.getEnvironment()
        .getPropertySources()
        .addFirst(new MapPropertySource("test-smtp", Map.of("ums.smtp.port", TestSmtp.port())));
  }
}
