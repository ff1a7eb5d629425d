package dev.ums.support;

import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.config.BeanFactoryPostProcessor;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.context.EnvironmentAware;
import org.springframework.core.env.Environment;
import org.springframework.util.StringUtils;

/**
 * Outside development mode, stops start-up before any bean is made when a setting that nothing may
 * stand in for is missing, and names every one of them in one message: the database, the SMTP relay
 * (not for the command-line modes, which send nothing), the encryption keyset, the blind-index key
 * and the API-key pepper. A production instance missing one of them would otherwise run on a local
 * file database, or capture its mail in memory and call it sent.
 */
final class StartupSettings implements BeanFactoryPostProcessor, EnvironmentAware {

  /** A required setting: any one of {@code keys} satisfies it. */
  private record Required(String what, String... keys) {}

  private static final List<Required> ALWAYS =
      List.of(
          new Required("the database", "spring.datasource.url"),
          new Required("the encryption keyset", "ums.crypto.keyset", "ums.crypto.keyset-file"),
          new Required("the blind-index key", "ums.crypto.index-key", "ums.crypto.index-key-file"),
          new Required(
              "the API-key pepper", "ums.security.key-pepper", "ums.security.key-pepper-file"));

  private static final Required RELAY = new Required("the SMTP relay", "ums.smtp.host");

  private Environment env;

  @Override
  public void setEnvironment(Environment environment) {
    this.env = environment;
  }

  @Override
  public void postProcessBeanFactory(ConfigurableListableBeanFactory beanFactory) {
    List<String> missing = missing(env);
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "Missing settings (UMS is not in development mode, so nothing stands in for them; run"
              + " with the Spring profile '"
              + Mode.DEV_PROFILE
              + "' for a local setup): "
              + String.join("; ", missing));
    }
  }

  /** What is missing, one entry per setting; empty in development mode. */
  static List<String> missing(Environment env) {
    if (Mode.of(env).development()) {
      return List.of();
    }
    List<Required> required = new ArrayList<>(ALWAYS);
    if (!env.getProperty("ums.cli", Boolean.class, false)) {
      required.add(1, RELAY);
    }
    List<String> missing = new ArrayList<>();
    for (Required r : required) {
      boolean set = false;
      for (String k : r.keys()) {
        set |= StringUtils.hasText(env.getProperty(k));
      }
      if (!set) {
        missing.add(String.join(" or ", r.keys()) + " (" + r.what() + ")");
      }
    }
    return missing;
  }
}
