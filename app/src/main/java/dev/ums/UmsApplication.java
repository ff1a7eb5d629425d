package dev.ums;

import dev.ums.crypto.Reencryption;
import dev.ums.ledger.Ledger;
import dev.ums.security.ApiKeys;
import dev.ums.security.AuditLog;
import dev.ums.security.ContentCipher;
import dev.ums.security.KeyCommand;
import dev.ums.security.RecipientIndex;
import dev.ums.suppression.Suppressions;
import java.io.PrintStream;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * UMS: accepts email over HTTP, stores it with an outbox row, delivers it in the background.
 *
 * <p>Spring Boot's {@code UserDetailsServiceAutoConfiguration} is left out: UMS authenticates API
 * keys only, and that auto-configuration would create an unused in-memory user and print its
 * generated password at every start.
 */
@SpringBootApplication(exclude = UserDetailsServiceAutoConfiguration.class)
@ConfigurationPropertiesScan
public class UmsApplication {

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("keys")) {
      System.exit(keys(args, System.out));
    }
    if (args.length > 0 && args[0].equals("crypto")) {
      System.exit(crypto(args, System.out));
    }
    SpringApplication.run(UmsApplication.class, args);
  }

  /** {@code java -jar ums.jar keys ...}: key management without starting the service. */
  static int keys(String[] args, PrintStream out) {
    try (ConfigurableApplicationContext ctx = commandLine(args)) {
      return new KeyCommand(ctx.getBean(ApiKeys.class), ctx.getBean(AuditLog.class))
          .run(List.of(args), out);
    }
  }

  /**
   * {@code java -jar ums.jar crypto reencrypt [--reindex]}: after a key rotation, re-encrypts every
   * message under the primary key (and with {@code --reindex} recomputes the blind index), printing
   * progress; exits 0 when no message is left under an older key.
   */
  static int crypto(String[] args, PrintStream out) {
    if (args.length < 2 || !args[1].equals("reencrypt")) {
      out.println("usage: crypto reencrypt [--reindex]");
      return 2;
    }
    boolean reindex = List.of(args).contains("--reindex");
    try (ConfigurableApplicationContext ctx = commandLine(args)) {
      Reencryption run =
          new Reencryption(
              ctx.getBean(JdbcTemplate.class),
              ctx.getBean(Ledger.class),
              ctx.getBean(ContentCipher.class),
              ctx.getBean(RecipientIndex.class),
              ctx.getBean(JsonMapper.class),
              ctx.getBean(Suppressions.class));
      long[] lastPrint = {0};
      Reencryption.Progress done =
          run.run(
              reindex,
              p -> {
                long now = System.nanoTime();
                if (now - lastPrint[0] >= 1_000_000_000L) {
                  lastPrint[0] = now;
                  out.printf(
                      "progress scanned=%d/%d rewritten=%d%n",
                      p.scanned(), p.total(), p.rewritten());
                }
              });
      ctx.getBean(AuditLog.class).record("crypto.reencrypt", reindex ? "reindex" : "content", "OK");
      out.printf(
          "done scanned=%d rewritten=%d remaining_old_key=%d%n",
          done.scanned(), done.rewritten(), done.remaining());
      out.println(
          done.remaining() == 0
              ? "every message is under the primary key: older keys may be removed from the keyset"
              : "some messages changed during the run: run it again before removing old keys");
      return done.remaining() == 0 ? 0 : 1;
    }
  }

  private static ConfigurableApplicationContext commandLine(String[] args) {
    SpringApplication app = new SpringApplication(UmsApplication.class);
    app.setWebApplicationType(WebApplicationType.NONE);
    app.setDefaultProperties(
        Map.of(
            "ums.dispatch.enabled", "false", "ums.cli", "true", "spring.main.banner-mode", "off"));
    return app.run(args);
  }

  /** The one time source; tests replace it with a settable clock. */
  @Bean
  Clock clock() {
    return Clock.systemUTC();
  }
}
