package dev.ums.kafka;

import dev.ums.dispatch.Transport;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Refuses to start with a Kafka role enabled outside Kafka mode (the role would silently do
 * nothing), and with an unknown {@code ums.transport}.
 */
@Component
class KafkaSettingsCheck {

  KafkaSettingsCheck(Environment env) {
    if (Transport.of(env) != Transport.KAFKA) {
      for (String role : new String[] {"ums.kafka.relay.enabled", "ums.kafka.sender.enabled"}) {
        if (env.getProperty(role, Boolean.class, false)) {
          throw new IllegalStateException(role + "=true needs ums.transport=kafka");
        }
      }
    }
  }
}
