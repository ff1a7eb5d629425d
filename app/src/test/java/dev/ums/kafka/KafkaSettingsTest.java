package dev.ums.kafka;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.ums.UmsApplication;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;

/** Kafka settings that would silently do nothing, or nothing useful, stop start-up by name. */
class KafkaSettingsTest {

  static void start(String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--spring.profiles.active=dev",
                "--spring.datasource.url=jdbc:h2:mem:kafka_settings_" + System.nanoTime(),
                "--ums.crypto.dev-keyset-path=target/test-keyset.json"));
    args.addAll(List.of(extra));
    SpringApplication.run(UmsApplication.class, args.toArray(String[]::new)).close();
  }

  @Test
  void a_kafka_role_outside_kafka_mode_is_refused() {
    assertThatThrownBy(() -> start("--ums.kafka.relay.enabled=true"))
        .hasStackTraceContaining("ums.kafka.relay.enabled=true needs ums.transport=kafka");
    assertThatThrownBy(() -> start("--ums.kafka.sender.enabled=true"))
        .hasStackTraceContaining("ums.kafka.sender.enabled=true needs ums.transport=kafka");
  }

  @Test
  void a_kafka_role_with_the_dispatcher_off_is_refused() {
    for (String role : List.of("relay", "sender")) {
      assertThatThrownBy(
              () ->
                  start(
                      "--ums.transport=kafka",
                      "--ums.kafka.bootstrap-servers=127.0.0.1:1",
                      "--ums.dispatch.enabled=false",
                      "--ums.kafka." + role + ".enabled=true"))
          .hasStackTraceContaining(
              "ums.kafka." + role + ".enabled=true needs ums.dispatch.enabled=true");
    }
  }

  @Test
  void kafka_mode_needs_its_brokers_and_a_known_transport() {
    assertThatThrownBy(() -> start("--ums.transport=kafka"))
        .hasStackTraceContaining(
            "ums.kafka.bootstrap-servers must be set when ums.transport=kafka");
    assertThatThrownBy(() -> start("--ums.transport=rabbit"))
        .hasStackTraceContaining("ums.transport must be 'database' or 'kafka', not 'rabbit'");
  }

  @Test
  void a_hand_off_lease_shorter_than_the_claim_lease_is_refused() {
    assertThatThrownBy(
            () ->
                start(
                    "--ums.transport=kafka",
                    "--ums.kafka.bootstrap-servers=127.0.0.1:1",
                    "--ums.kafka.lease=1m",
                    "--ums.dispatch.lease=2m"))
        .hasStackTraceContaining("ums.kafka.lease (PT1M) must be at least ums.dispatch.lease");
  }
}
