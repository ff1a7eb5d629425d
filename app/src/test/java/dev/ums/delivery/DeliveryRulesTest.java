package dev.ums.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which rule a message falls under, and which rules start-up refuses. */
class DeliveryRulesTest {

  static DeliveryProperties props(Map<String, DeliveryProperties.Rule> domains) {
    return new DeliveryProperties(
        null,
        Duration.ofMillis(200),
        domains,
        new DeliveryProperties.Rule(null, null, null, true),
        new DeliveryProperties.Adaptive(
            true,
            List.of(421),
            "too many",
            0.5,
            Duration.ofSeconds(5),
            0.02,
            Duration.ofSeconds(1)),
        new DeliveryProperties.FairShare(false, Map.of()));
  }

  static DeliveryProperties.Rule rule(Double rate, String... match) {
    return new DeliveryProperties.Rule(List.of(match), rate, null, true);
  }

  @Test
  void a_message_takes_the_strictest_rule_any_recipient_matches() {
    Map<String, DeliveryProperties.Rule> rules = new LinkedHashMap<>();
    rules.put("gmail", rule(50d, "gmail.com", "googlemail.com"));
    rules.put("corp", rule(5d, "*.corp.example"));
    rules.put("any", rule(null, "example.org"));
    DeliveryRules r = new DeliveryRules(props(rules));

    assertThat(r.ruleFor(List.of("Ann <Ann@GMail.com>"))).isEqualTo("gmail");
    assertThat(r.ruleFor(List.of("a@gmail.com", "b@mx.corp.example"))).isEqualTo("corp");
    assertThat(r.ruleFor(List.of("a@corp.example"))).isEqualTo("default");
    assertThat(r.ruleFor(List.of("a@example.org", "b@gmail.com"))).isEqualTo("gmail");
    assertThat(r.ruleFor(List.of("a@example.org"))).isEqualTo("any");
    assertThat(r.ruleFor(List.of("a@elsewhere.net"))).isEqualTo("default");
  }

  @Test
  void a_bad_rule_stops_start_up_naming_the_setting() {
    assertThatThrownBy(() -> props(Map.of("slow", rule(0d, "slow.example"))))
        .hasMessageContaining("ums.delivery.domains.slow.rate");
    assertThatThrownBy(() -> props(Map.of("slow", rule(1d, "not a domain"))))
        .hasMessageContaining("ums.delivery.domains.slow.match");
    assertThatThrownBy(() -> props(Map.of("Bad Name", rule(1d, "a.example"))))
        .hasMessageContaining("ums.delivery.domains.Bad Name");
    assertThatThrownBy(() -> props(Map.of("default", rule(1d, "a.example"))))
        .hasMessageContaining("ums.delivery.domains.default");
    assertThatThrownBy(
            () ->
                new DeliveryProperties(
                    -1d,
                    Duration.ofMillis(200),
                    Map.of(),
                    new DeliveryProperties.Rule(null, null, null, true),
                    props(Map.of()).adaptive(),
                    props(Map.of()).fairShare()))
        .hasMessageContaining("ums.delivery.max-rate");
  }

  @Test
  void with_nothing_configured_control_is_off() {
    assertThat(props(Map.of()).controls()).isFalse();
    assertThat(props(Map.of("x", rule(null, "a.example"))).controls()).isFalse();
    assertThat(props(Map.of("x", rule(3d, "a.example"))).controls()).isTrue();
  }
}
