package dev.ums.delivery;

import dev.ums.support.Dialect;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Wires delivery control: budgets in PostgreSQL when the database is shared between instances (in
 * this JVM on H2, which only one process uses), and fair share when it is on.
 */
@Configuration(proxyBeanMethods = false)
class DeliveryConfig {

  @Bean
  DeliveryControl deliveryControl(
      DeliveryProperties props,
      Dialect dialect,
      NamedParameterJdbcTemplate jdbc,
      DeliveryStats stats,
      MeterRegistry meters,
      Clock clock) {
    return DeliveryControl.create(props, dialect, jdbc, stats, meters, clock);
  }
}
