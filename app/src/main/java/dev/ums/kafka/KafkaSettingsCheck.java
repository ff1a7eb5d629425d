package dev.ums.kafka;

import dev.ums.dispatch.DispatchProperties;
import dev.ums.dispatch.Transport;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Refuses to start with a Kafka role enabled where it would silently do nothing: outside Kafka
 * mode, or with the dispatcher off ({@code ums.dispatch.enabled=false}, which both roles need); and
 * with an unknown {@code ums.transport}.
 */
@Component
class KafkaSettingsCheck {

  private static final String[] ROLES = {"ums.kafka.relay.enabled", "ums.kafka.sender.enabled"};

  KafkaSettingsCheck(Environment env) {
    boolean kafka = Transport.of(env) == Transport.KAFKA;
    boolean dispatch =
        Binder.get(env).bindOrCreate("ums.dispatch", DispatchProperties.class).enabled();
    for (String role : ROLES) {
      if (!env.getProperty(role, Boolean.class, false)) {
        continue;
      }
      if (!kafka) {
        throw new IllegalStateException(role + "=true needs ums.transport=kafka");
      }
      if (!dispatch) {
        throw new IllegalStateException(
            role
                + "=true needs ums.dispatch.enabled=true: with the dispatcher off it does nothing");
      }
    }
  }
}
