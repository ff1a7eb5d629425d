package dev.ums;

import dev.ums.security.ApiKeys;
import dev.ums.security.AuditLog;
import dev.ums.security.KeyCommand;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** UMS: accepts email over HTTP, stores it with an outbox row, delivers it in the background. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class UmsApplication {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("keys")) {
      System.exit(keys(args));
    }
    SpringApplication.run(UmsApplication.class, args);
  }

  /** {@code java -jar ums.jar keys ...}: key management without starting the service. */
  static int keys(String[] args) {
    SpringApplication app = new SpringApplication(UmsApplication.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    app.setDefaultProperties(
        Map.of(
            "ums.dispatch.enabled", "false", "ums.cli", "true", "spring.main.banner-mode", "off"));
    try (ConfigurableApplicationContext ctx = app.run(args)) {
      return new KeyCommand(ctx.getBean(ApiKeys.class), ctx.getBean(AuditLog.class))
          .run(List.of(args), System.out);
    }
  }

  /** The one time source; tests replace it with a settable clock. */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}
