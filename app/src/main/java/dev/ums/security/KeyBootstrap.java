package dev.ums.security;

import dev.ums.support.Dialect;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * First keys. {@code UMS_BOOTSTRAP_ADMIN_KEY} (environment or property) creates an ADMIN key with
 * that value for client {@code admin} if it does not exist yet. Without it, the embedded default
 * (H2) with no keys at all generates a development admin key and prints it once; a PostgreSQL
 * deployment never gets a generated key.
 */
@Component
class KeyBootstrap implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(KeyBootstrap.class);
  static final String ADMIN_CLIENT = "admin";

  private final ApiKeys keys;
  private final Dialect dialect;
  private final String bootstrapKey;
  private final boolean cli;

  KeyBootstrap(
      ApiKeys keys,
      Dialect dialect,
      @Value("${UMS_BOOTSTRAP_ADMIN_KEY:}") String bootstrapKey,
      @Value("${ums.cli:false}") boolean cli) {
    this.keys = keys;
    this.dialect = dialect;
    this.bootstrapKey = bootstrapKey;
    this.cli = cli;
  }

  @Override
  public void run(ApplicationArguments args) {
    if (cli) {
      return;
    }
    if (!bootstrapKey.isBlank()) {
      if (bootstrapKey.length() < 20) {
        throw new IllegalStateException("UMS_BOOTSTRAP_ADMIN_KEY must be at least 20 characters");
      }
      if (!keys.exists(bootstrapKey)) {
        ApiKeys.NewKey k = keys.store(bootstrapKey, ADMIN_CLIENT, Role.ADMIN, "bootstrap");
        log.info("event=bootstrap_admin_key_created prefix={}", k.info().prefix());
      }
    } else if (dialect == Dialect.H2 && keys.count() == 0) {
      ApiKeys.NewKey k = keys.create(ADMIN_CLIENT, Role.ADMIN, "development");
      log.warn(
          "event=dev_admin_key_generated key={} (shown once; development only — set"
              + " UMS_BOOTSTRAP_ADMIN_KEY or create keys for production)",
          k.key());
    }
  }
}
