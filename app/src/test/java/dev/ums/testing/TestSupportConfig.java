package dev.ums.testing;

import dev.ums.ledger.Ledger;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;
import org.springframework.core.env.Environment;
import org.springframework.jdbc.core.JdbcTemplate;

@TestConfiguration(proxyBeanMethods = false)
public class TestSupportConfig {

  @Bean
  @Primary
  TestClock testClock() {
    return new TestClock();
  }

  @Bean
  Http http(Environment env) {
    return new Http(env);
  }

  @Bean
  Db db(JdbcTemplate jdbc) {
    return new Db(jdbc);
  }

  @Bean
  ManualDispatch manualDispatch(Ledger ledger, TestClock clock) {
    return new ManualDispatch(ledger, clock);
  }
}
