package dev.ums.support;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

@Configuration(proxyBeanMethods = false)
class DialectConfig {

  /** Checks the required settings before any other bean is made. */
  @Bean
  static StartupSettings startupSettings() {
    return new StartupSettings();
  }

  @Bean
  Mode mode(Environment env) {
    return Mode.of(env);
  }

  /** From the configured URL, so start-up never needs the database to answer. */
  @Bean
  Dialect dialect(Environment env) {
    return Dialect.fromJdbcUrl(env.getProperty("spring.datasource.url"));
  }
}
