package dev.ums.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.ledger.Claim;
import dev.ums.ledger.ClaimScope;
import dev.ums.testing.TestClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/**
 * How delivery control splits a claim between rules, on in-process budgets and a settable clock,
 * with a claimer that hands out rows per scope.
 */
class DeliveryControlUnitTest {

  final TestClock clock = new TestClock();
  final AtomicLong nanos = new AtomicLong(1);

  /** Rows available per scope (by its text), handed out by {@link #claim}. */
  final Map<String, Integer> available = new HashMap<>();

  final List<String> asked = new ArrayList<>();

  final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  List<Claim> claim(ClaimScope scope, int limit) {
    asked.add(scope + " x" + limit);
    String rule = scope.toString().contains("delivery_rule = ?") ? ruleOf(scope) : "other";
    int n = Math.min(limit, available.getOrDefault(scope.toString(), 0));
    available.merge(scope.toString(), -n, Integer::sum);
    List<Claim> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      out.add(new Claim(UUID.randomUUID(), UUID.randomUUID(), 1, Instant.EPOCH, null, 0, rule));
    }
    return out;
  }

  static String ruleOf(ClaimScope scope) {
    String s = scope.toString();
    return s.substring(s.indexOf('[') + 1, s.indexOf(']'));
  }

  DeliveryControl control(
      Double maxRate, Map<String, DeliveryProperties.Rule> rules, DeliveryProperties.Rule def) {
    DeliveryProperties base = DeliveryRulesTest.props(rules);
    DeliveryProperties p =
        new DeliveryProperties(
            maxRate, Duration.ofSeconds(1), rules, def, base.adaptive(), base.fairShare());
    return new DeliveryControl(
        p, new LocalBudgets(Budgets.Shape.of(p), clock), null, meters, nanos::get);
  }

  @Test
  void a_rule_without_tokens_is_not_claimed_and_the_rest_takes_the_whole_claim() {
    Map<String, DeliveryProperties.Rule> rules = new LinkedHashMap<>();
    rules.put("slow", new DeliveryProperties.Rule(List.of("slow.example"), 2d, null, true));
    DeliveryControl c = control(null, rules, new DeliveryProperties.Rule(null, null, null, true));
    available.put(ClaimScope.rule("slow").toString(), 100);
    available.put(ClaimScope.except(List.of("slow")).toString(), 100);

    DeliveryControl.Round first = c.claim(10, this::claim);
    // The slow bucket holds 2 tokens (2/s × 1 s burst): 2 of its rows, 8 of the rest.
    assertThat(first.claims()).hasSize(10);
    assertThat(first.claims().stream().filter(x -> "slow".equals(x.deliveryRule()))).hasSize(2);

    asked.clear();
    DeliveryControl.Round second = c.claim(10, this::claim);
    assertThat(second.claims()).hasSize(10).allMatch(x -> x.deliveryRule().equals("other"));
    assertThat(asked).noneMatch(a -> a.contains("delivery_rule = ?"));
    assertThat(second.waitNanos()).isPositive();

    // A second later the slow rule has two tokens again.
    clock.advance(Duration.ofSeconds(1));
    nanos.addAndGet(Duration.ofSeconds(1).toNanos());
    assertThat(
            c.claim(10, this::claim).claims().stream().filter(x -> "slow".equals(x.deliveryRule())))
        .hasSize(2);
  }

  @Test
  void unused_tokens_are_given_back_and_the_global_rate_bounds_every_claim() {
    DeliveryControl c = control(5d, Map.of(), new DeliveryProperties.Rule(null, null, null, true));
    available.put(ClaimScope.except(List.of()).toString(), 3);

    assertThat(c.claim(10, this::claim).claims()).hasSize(3);
    // 5 tokens, 3 used, 2 given back: the next claim gets 2 of the 10 rows now there.
    available.put(ClaimScope.except(List.of()).toString(), 10);
    DeliveryControl.Round r = c.claim(10, this::claim);
    assertThat(r.claims()).hasSize(2);
    assertThat(r.waitNanos()).isPositive();
    assertThat(c.claim(10, this::claim).claims()).isEmpty();
  }

  @Test
  void a_limited_default_rule_still_lets_unlimited_named_rules_through_and_caps_connections() {
    Map<String, DeliveryProperties.Rule> rules = new LinkedHashMap<>();
    rules.put("free", new DeliveryProperties.Rule(List.of("free.example"), null, null, true));
    DeliveryControl c = control(null, rules, new DeliveryProperties.Rule(null, null, 2, true));
    available.put(ClaimScope.except(List.of("free")).toString(), 10);
    available.put(ClaimScope.rules(List.of("free")).toString(), 10);

    List<Claim> got = c.claim(10, this::claim).claims();
    // Two default-rule rows (its connection cap), eight of the unlimited named rule.
    assertThat(got).hasSize(10);
    List<Claim> ofDefault = got.subList(0, 2);
    assertThat(c.claim(10, this::claim).claims()).hasSize(2); // only "free" rows: the cap is full
    c.done(new Claim(UUID.randomUUID(), UUID.randomUUID(), 1, Instant.EPOCH, null, 0, "default"));
    assertThat(ofDefault).hasSize(2);
    assertThat(c.claim(1, this::claim).claims()).hasSize(1); // one slot free again
  }

  static Claim of(String rule) {
    return new Claim(UUID.randomUUID(), UUID.randomUUID(), 1, Instant.EPOCH, null, 0, rule);
  }

  @Test
  void a_sender_gets_no_more_slots_of_a_capped_rule_than_its_cap_and_counts_each_refusal() {
    Map<String, DeliveryProperties.Rule> rules = new LinkedHashMap<>();
    rules.put("capped", new DeliveryProperties.Rule(List.of("capped.example"), null, 2, true));
    rules.put("paced", new DeliveryProperties.Rule(List.of("paced.example"), 5d, null, true));
    DeliveryControl c = control(null, rules, new DeliveryProperties.Rule(null, null, null, true));
    Claim first = of("capped");

    assertThat(c.startSend(first)).isTrue();
    assertThat(c.startSend(of("capped"))).isTrue();
    assertThat(c.startSend(of("capped"))).isFalse();
    assertThat(c.startSend(of("capped"))).isFalse();
    // Other rules are not held back by it: one without a cap, and mail no limited rule covers.
    for (int i = 0; i < 10; i++) {
      assertThat(c.startSend(of("paced"))).isTrue();
      assertThat(c.startSend(of("default"))).isTrue();
      assertThat(c.startSend(of(null))).isTrue();
    }
    assertThat(meters.counter("ums.delivery.capped", "rule", "capped").count()).isEqualTo(2);

    c.sendEnded(first);
    assertThat(c.startSend(of("capped"))).isTrue(); // the slot it freed
    assertThat(c.startSend(of("capped"))).isFalse();
    assertThat(c.rules().get(0).inFlightHere()).isEqualTo(2);
  }

  @Test
  void a_senders_slots_are_apart_from_the_claims_in_hand_of_a_relay_in_the_same_instance() {
    Map<String, DeliveryProperties.Rule> rules = new LinkedHashMap<>();
    rules.put("capped", new DeliveryProperties.Rule(List.of("capped.example"), null, 1, true));
    DeliveryControl c = control(null, rules, new DeliveryProperties.Rule(null, null, null, true));
    available.put(ClaimScope.rule("capped").toString(), 10);

    // The relay claims (and holds until published) one row; the sender's slot is still free.
    List<Claim> published = c.claim(10, this::claim).claims();
    assertThat(published).hasSize(1);
    assertThat(c.startSend(of("capped"))).isTrue();
    c.done(published.get(0)); // published: the relay's hold ends, the send goes on
    assertThat(c.startSend(of("capped"))).isFalse();
    assertThat(c.claim(10, this::claim).claims()).hasSize(1); // the relay's own cap is free
  }
}
