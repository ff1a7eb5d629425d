package dev.ums.delivery;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Delivery control ({@code ums.delivery.*}): how fast mail leaves the fleet. With nothing set,
 * control is off and the claim is exactly the uncontrolled one.
 *
 * @param maxRate emails per second for the whole fleet; null: unlimited
 * @param burst how much of a rate may go out at once: a bucket holds {@code rate × burst} tokens
 *     (at least one)
 * @param domains the per-destination rules by name, in the order they are written
 * @param defaultRule the rule of every recipient domain no named rule covers (rate and connections
 *     only)
 * @param adaptive how rate-limit replies lower a rule's rate (AIMD)
 * @param fairShare how the claim shares capacity between clients with due mail
 */
@ConfigurationProperties(DeliveryProperties.PREFIX)
public record DeliveryProperties(
    Double maxRate,
    @DefaultValue("100ms") Duration burst,
    Map<String, Rule> domains,
    @DefaultValue Rule defaultRule,
    @DefaultValue Adaptive adaptive,
    @DefaultValue FairShare fairShare) {

  static final String PREFIX = "ums.delivery";

  private static final Pattern RULE_NAME = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");
  private static final Pattern DOMAIN =
      Pattern.compile("(\\*\\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)*[a-z0-9-]{1,63}");

  public DeliveryProperties {
    if (maxRate != null && !(maxRate > 0)) {
      throw new IllegalArgumentException(PREFIX + ".max-rate must be above 0 (or unset)");
    }
    if (burst.isNegative() || burst.isZero()) {
      throw new IllegalArgumentException(PREFIX + ".burst must be positive");
    }
    domains = domains == null ? Map.of() : new LinkedHashMap<>(domains);
    for (Map.Entry<String, Rule> e : domains.entrySet()) {
      String name = e.getKey();
      String at = PREFIX + ".domains." + name;
      if (!RULE_NAME.matcher(name).matches() || name.equals(DeliveryRules.DEFAULT)) {
        throw new IllegalArgumentException(
            at + ": a rule name is 1-63 of a-z, 0-9, '-', '_' and not 'default'");
      }
      Rule r = e.getValue();
      if (r.match() == null || r.match().isEmpty()) {
        throw new IllegalArgumentException(at + ".match: name at least one recipient domain");
      }
      for (String d : r.match()) {
        if (d == null || !DOMAIN.matcher(d.toLowerCase(java.util.Locale.ROOT)).matches()) {
          throw new IllegalArgumentException(
              at + ".match: '" + d + "' is neither a domain nor *.domain");
        }
      }
      r.check(at);
    }
    defaultRule.check(PREFIX + ".default-rule");
    if (defaultRule.match() != null && !defaultRule.match().isEmpty()) {
      throw new IllegalArgumentException(
          PREFIX + ".default-rule.match: the default rule covers every other domain");
    }
  }

  /** Whether anything limits sending (otherwise the claim is the plain one). */
  boolean controls() {
    return maxRate != null
        || defaultRule.limits()
        || domains.values().stream().anyMatch(Rule::limits)
        || fairShare.enabled();
  }

  /**
   * One destination rule.
   *
   * @param match recipient domains it covers: {@code example.com} (that domain) or {@code
   *     *.example.com} (its subdomains)
   * @param rate emails per second for the whole fleet; null: unlimited
   * @param connections most sends in flight at once per instance; null: no cap
   * @param adaptive whether rate-limit replies lower the rate for a while (only with a rate)
   */
  public record Rule(
      List<String> match,
      Double rate,
      Integer connections,
      @DefaultValue("true") boolean adaptive) {

    void check(String at) {
      if (rate != null && !(rate > 0)) {
        throw new IllegalArgumentException(at + ".rate must be above 0 (or unset)");
      }
      if (connections != null && connections < 1) {
        throw new IllegalArgumentException(at + ".connections must be at least 1 (or unset)");
      }
    }

    /** Whether this rule holds anything back. */
    boolean limits() {
      return rate != null || connections != null;
    }
  }

  /**
   * {@code ums.delivery.adaptive.*}: AIMD on rate-limit replies. A reply whose code is one of
   * {@code codes} and whose text matches {@code pattern} multiplies the rule's current rate by
   * {@code decrease} (at most once per {@code coolDown}); after the cool-down the rate climbs back
   * by {@code increase} × the configured rate per second.
   *
   * @param enabled whether rate-limit replies adapt rates at all
   * @param codes SMTP reply codes that may signal rate limiting
   * @param pattern what the reply text must contain (a regular expression, case ignored)
   * @param decrease factor applied to the current rate on a rate-limit reply
   * @param coolDown how long the lowered rate holds before it climbs again
   * @param increase share of the configured rate added back per second after the cool-down
   * @param retryAfter how long a message refused for rate limiting waits before it may be claimed;
   *     in Kafka mode also one a sender gave back because its rule's connection cap was full there
   */
  public record Adaptive(
      @DefaultValue("true") boolean enabled,
      @DefaultValue({"421", "450", "451", "452"}) List<Integer> codes,
      @DefaultValue(
              "too many|rate limit|ratelimit|throttl|try again later|slow down|exceeded|too fast")
          String pattern,
      @DefaultValue("0.9") double decrease,
      @DefaultValue("5s") Duration coolDown,
      @DefaultValue("0.02") double increase,
      @DefaultValue("1s") Duration retryAfter) {

    public Adaptive {
      if (!(decrease > 0 && decrease < 1)) {
        throw new IllegalArgumentException(PREFIX + ".adaptive.decrease must be in (0, 1)");
      }
      if (!(increase > 0)) {
        throw new IllegalArgumentException(PREFIX + ".adaptive.increase must be above 0");
      }
      try {
        Pattern.compile(pattern);
      } catch (PatternSyntaxException e) {
        throw new IllegalArgumentException(
            PREFIX + ".adaptive.pattern is not a regular expression: " + e.getDescription());
      }
    }
  }

  /**
   * {@code ums.delivery.fair-share.*}: share each claim between clients with due mail.
   *
   * @param enabled whether claims are shared between clients
   * @param weights a client's share relative to others (clients not listed: 1)
   */
  public record FairShare(@DefaultValue("false") boolean enabled, Map<String, Integer> weights) {

    public FairShare {
      weights = weights == null ? Map.of() : Map.copyOf(weights);
      weights.forEach(
          (client, w) -> {
            if (w == null || w < 1) {
              throw new IllegalArgumentException(
                  PREFIX + ".fair-share.weights." + client + " must be at least 1");
            }
          });
    }

    int weight(String client) {
      return weights.getOrDefault(client, 1);
    }
  }
}
