package dev.ums.security;

import dev.ums.support.Mode;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.stereotype.Component;

/**
 * First keys. {@code UMS_BOOTSTRAP_ADMIN_KEY} (environment or property) creates an ADMIN key with
 * that value for client {@code admin} if it does not exist yet. Without it, development mode (the
 * Spring profile {@code dev}) with no keys at all generates a development admin key and prints it
 * once; outside development mode no key is ever generated.
 *
 * <p>A bootstrap key is checked when the application is built, before anything listens: it must
 * have the shape of a key ({@code ums_} then URL-safe base64 characters), be at least {@value
 * ApiKeys#MIN_LENGTH} characters long, and have at least {@value #MIN_DISTINCT} distinct characters
 * after {@code ums_} (a random key of that length has about 25; {@code ums_aaaa…} or a word
 * repeated has few). Otherwise start-up fails naming the setting.
 */
@Component
class KeyBootstrap implements ApplicationRunner {

  private static final Logger log = LoggerFactory.getLogger(KeyBootstrap.class);
  static final String ADMIN_CLIENT = "admin";
  static final String SETTING = "UMS_BOOTSTRAP_ADMIN_KEY";
  static final int MIN_DISTINCT = 16;

  private final ApiKeys keys;
  private final Mode mode;
  private final String bootstrapKey;
  private final boolean cli;

  KeyBootstrap(
      ApiKeys keys,
      Mode mode,
      @Value("${UMS_BOOTSTRAP_ADMIN_KEY:}") String bootstrapKey,
      @Value("${ums.cli:false}") boolean cli) {
    this.keys = keys;
    this.mode = mode;
    this.bootstrapKey = bootstrapKey.strip();
    this.cli = cli;
    if (!this.bootstrapKey.isEmpty()) {
      check(this.bootstrapKey);
    }
  }

  /** Refuses a bootstrap key that is malformed, short or of low entropy, naming the setting. */
  static void check(String key) {
    String rule = " (generate one with: echo ums_$(openssl rand -base64 36 | tr '+/' '-_'))";
    if (key.length() < ApiKeys.MIN_LENGTH) {
      throw new IllegalStateException(
          SETTING + " must be at least " + ApiKeys.MIN_LENGTH + " characters" + rule);
    }
    if (!ApiKeys.wellFormed(key)) {
      throw new IllegalStateException(
          SETTING
              + " must be ums_ followed by letters, digits, '-' and '_' only, at most "
              + ApiKeys.MAX_LENGTH
              + " characters in all"
              + rule);
    }
    long distinct = key.substring(ApiKeys.PREFIX.length()).chars().distinct().count();
    if (distinct < MIN_DISTINCT) {
      throw new IllegalStateException(
          SETTING
              + " is too predictable: it has "
              + distinct
              + " distinct characters after ums_, at least "
              + MIN_DISTINCT
              + " are required"
              + rule);
    }
  }

  @Override
  public void run(ApplicationArguments args) {
    if (cli) {
      return;
    }
    if (!bootstrapKey.isEmpty()) {
      if (!keys.exists(bootstrapKey)) {
        ApiKeys.NewKey k = keys.store(bootstrapKey, ADMIN_CLIENT, Role.ADMIN, "bootstrap");
        log.info("event=bootstrap_admin_key_created key={}", k.info().label());
      }
    } else if (mode.development()) {
      try {
        if (keys.count() == 0) {
          ApiKeys.NewKey k = keys.create(ADMIN_CLIENT, Role.ADMIN, "development");
          log.warn(
              "event=dev_admin_key_generated key={} (shown once; development only — set"
                  + " UMS_BOOTSTRAP_ADMIN_KEY or create keys for production)",
              k.key());
        }
      } catch (org.springframework.dao.DataAccessException e) {
        // Development only: the next start with the database up prints the key.
        log.warn("event=dev_admin_key_skipped reason=database_unreachable");
      }
    }
  }
}
