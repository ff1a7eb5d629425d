package dev.ums.delivery;

import dev.ums.ledger.Claim;
import dev.ums.ledger.ClaimScope;
import dev.ums.support.Dialect;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Decides, for each claim of the dispatcher, how many rows of which delivery rule it may take: the
 * global rate ({@code ums.delivery.max-rate}), each rule's rate and connection cap, and (when on)
 * each client's share. Rows are claimed only against tokens already granted, one ledger claim per
 * rule that has tokens, then one for every rule without limits; tokens a claim did not use are
 * given back. A rule without tokens is simply not claimed: its mail waits in the queue (no attempt,
 * no failure) and every other rule's mail flows.
 *
 * <p>With nothing configured, {@link #active()} is false and the dispatcher claims exactly as
 * without delivery control: no bucket, no extra statement.
 *
 * <p>Failure modes: a budget statement that fails (database away) fails the claim like the claim
 * statement itself would; tokens taken by an instance that dies before sending are lost for at most
 * one burst. Connection caps count sends of this instance only, in both transports: in database
 * mode the claim asks for no more rows of a capped rule than it has free slots; in Kafka mode the
 * relay's claim does the same per publish round, and each sender holds the cap where the send
 * starts ({@link #startSend}), giving back what does not fit.
 */
public class DeliveryControl {

  private static final Logger log = LoggerFactory.getLogger(DeliveryControl.class);

  /** The bucket of the global rate. */
  static final String GLOBAL = "_global";

  /** Claims a scope; the dispatcher's view of {@code Ledger.claim}. */
  @FunctionalInterface
  public interface Claimer {
    List<Claim> claim(ClaimScope scope, int limit);
  }

  /**
   * What one round of claims returned.
   *
   * @param claims the rows claimed
   * @param waitNanos when no more can be claimed before some budget refills, how long that is (0:
   *     no budget wait)
   */
  public record Round(List<Claim> claims, long waitNanos) {}

  /** A limited rule and its live state in this instance. */
  static final class Lane {
    final String name;
    final Double rate;
    final Integer connections;
    final boolean adaptive;
    final ClaimScope scope;
    final AtomicInteger inHand = new AtomicInteger();

    /** Sends of this rule running on this instance's Kafka sender ({@link #startSend}). */
    final AtomicInteger sending = new AtomicInteger();

    volatile long notBefore;
    volatile double currentRate;
    final Counter throttled;

    /** Messages a Kafka sender gave back because this rule's cap was full; null without a cap. */
    final Counter capped;

    Lane(String name, DeliveryProperties.Rule r, ClaimScope scope, MeterRegistry meters) {
      this.name = name;
      this.rate = r.rate();
      this.connections = r.connections();
      this.adaptive = r.adaptive() && r.rate() != null;
      this.scope = scope;
      this.currentRate = rate == null ? 0 : rate;
      this.throttled =
          Counter.builder("ums.delivery.throttled")
              .description("Rate-limit replies from the relay, by delivery rule")
              .tag("rule", name)
              .register(meters);
      this.capped =
          connections == null
              ? null
              : Counter.builder("ums.delivery.capped")
                  .description(
                      "Messages a Kafka sender gave back to the queue because their rule's"
                          + " connection cap was full on it, by delivery rule")
                  .tag("rule", name)
                  .register(meters);
      if (rate != null) {
        Gauge.builder("ums.delivery.rate.current", this, l -> l.currentRate)
            .description("A delivery rule's current (adapted) rate, emails/s")
            .tag("rule", name)
            .register(meters);
        Gauge.builder("ums.delivery.rate.configured", this, l -> l.rate)
            .description("A delivery rule's configured rate, emails/s")
            .tag("rule", name)
            .register(meters);
      }
    }
  }

  private final DeliveryProperties props;
  private final Budgets budgets;
  private final LongSupplier nanos;
  private final boolean active;
  private final Double maxRate;
  private final List<Lane> lanes = new ArrayList<>();
  private final Map<String, Lane> byName = new LinkedHashMap<>();

  /** Everything no lane covers; null when lanes cover everything. */
  private final ClaimScope rest;

  private final boolean defaultLimited;
  private final Pattern throttlePattern;
  private final ClientShares shares;
  private volatile long globalNotBefore;
  private volatile double globalTokens;
  private int rotation;

  DeliveryControl(
      DeliveryProperties props,
      Budgets budgets,
      ClientShares shares,
      MeterRegistry meters,
      LongSupplier nanos) {
    this.props = props;
    this.budgets = budgets;
    this.shares = shares;
    this.nanos = nanos;
    this.active = props.controls();
    this.maxRate = props.maxRate();
    this.throttlePattern = Pattern.compile(props.adaptive().pattern(), Pattern.CASE_INSENSITIVE);
    List<String> named = new ArrayList<>(props.domains().keySet());
    List<String> limitedNamed = new ArrayList<>();
    List<String> unlimitedNamed = new ArrayList<>();
    props
        .domains()
        .forEach(
            (name, r) -> {
              if (r.limits()) {
                limitedNamed.add(name);
                add(new Lane(name, r, ClaimScope.rule(name), meters));
              } else {
                unlimitedNamed.add(name);
              }
            });
    this.defaultLimited = props.defaultRule().limits();
    if (defaultLimited) {
      // The default rule covers its own name and every name no rule has any more.
      add(new Lane(DeliveryRules.DEFAULT, props.defaultRule(), ClaimScope.except(named), meters));
      this.rest = unlimitedNamed.isEmpty() ? null : ClaimScope.rules(unlimitedNamed);
    } else {
      this.rest = ClaimScope.except(limitedNamed);
    }
    if (maxRate != null) {
      Gauge.builder("ums.delivery.global.tokens", this, c -> c.globalTokens)
          .description("Tokens left in the global send budget, as last seen by this instance")
          .register(meters);
    }
  }

  /** How often fair share re-reads which clients have due mail. */
  static final long FAIR_SHARE_REFRESH_NANOS = 1_000_000_000L;

  /**
   * Delivery control for {@code props}: budgets in PostgreSQL when the database is shared between
   * instances (in this JVM on H2, which only one process uses), and fair share when it is on.
   */
  static DeliveryControl create(
      DeliveryProperties props,
      Dialect dialect,
      NamedParameterJdbcTemplate jdbc,
      DeliveryStats stats,
      MeterRegistry meters,
      Clock clock) {
    Budgets.Shape shape = Budgets.Shape.of(props);
    Budgets budgets =
        dialect.sharedRateBuckets()
            ? new SharedBudgets(jdbc, shape, clock)
            : new LocalBudgets(shape, clock);
    ClientShares shares =
        props.fairShare().enabled()
            ? new ClientShares(
                props.fairShare(), stats::dueByClient, System::nanoTime, FAIR_SHARE_REFRESH_NANOS)
            : null;
    return new DeliveryControl(props, budgets, shares, meters, System::nanoTime);
  }

  private void add(Lane lane) {
    lanes.add(lane);
    byName.put(lane.name, lane);
  }

  /** Whether anything is controlled; if not, the dispatcher claims as it would without control. */
  public boolean active() {
    return active;
  }

  /**
   * Claims up to {@code want} rows within every budget, through {@code claimer}. Never claims a row
   * it has no token for.
   */
  public Round claim(int want, Claimer claimer) {
    long now = nanos.getAsLong();
    if (now < globalNotBefore) {
      return new Round(List.of(), globalNotBefore - now);
    }
    int budget = want;
    if (maxRate != null) {
      Budgets.Grant g = budgets.take(GLOBAL, maxRate, want);
      globalTokens = g.tokens();
      budget = g.granted();
      if (budget < want) {
        // Come back when a fair claim's worth has refilled, not at every wake-up.
        globalNotBefore = now + g.until(Math.max(1, refillTarget(maxRate, want))).toNanos();
      }
      if (budget == 0) {
        return new Round(List.of(), globalNotBefore - now);
      }
    }
    List<Claim> out = new ArrayList<>();
    long wait = Long.MAX_VALUE;
    int n = lanes.size();
    int start = n == 0 ? 0 : Math.floorMod(rotation++, n);
    try {
      for (int i = 0; i < n && budget > 0; i++) {
        Lane lane = lanes.get((start + i) % n);
        if (now < lane.notBefore) {
          wait = Math.min(wait, lane.notBefore - now);
          continue;
        }
        int ask = budget;
        if (lane.connections != null) {
          ask = Math.min(ask, lane.connections - lane.inHand.get());
          if (ask <= 0) {
            continue; // a send of this rule ending wakes the dispatcher
          }
        }
        int granted = ask;
        if (lane.rate != null) {
          Budgets.Grant g = budgets.take(bucket(lane), lane.rate, ask);
          lane.currentRate = g.rate();
          granted = g.granted();
          if (granted < ask) {
            lane.notBefore = now + g.until(Math.max(1, refillTarget(g.rate(), ask))).toNanos();
            wait = Math.min(wait, lane.notBefore - now);
          }
          if (granted == 0) {
            continue;
          }
        }
        List<Claim> got = claimShared(lane.scope, granted, claimer);
        lane.inHand.addAndGet(got.size());
        if (lane.rate != null && got.size() < granted) {
          budgets.refund(bucket(lane), granted - got.size());
        }
        out.addAll(got);
        budget -= got.size();
      }
      if (rest != null && budget > 0) {
        List<Claim> got = claimShared(rest, budget, claimer);
        out.addAll(got);
        budget -= got.size();
      }
    } finally {
      if (maxRate != null && budget > 0) {
        budgets.refund(GLOBAL, budget);
        globalNotBefore = 0; // rows ran out before tokens did: no need to wait for a refill
      }
    }
    if (globalNotBefore > now) {
      wait = Math.min(wait, globalNotBefore - now);
    }
    return new Round(out, wait == Long.MAX_VALUE ? 0 : wait);
  }

  private List<Claim> claimShared(ClaimScope scope, int limit, Claimer claimer) {
    if (shares == null) {
      return claimer.claim(scope, limit);
    }
    return shares.claim(scope, limit, claimer);
  }

  /**
   * Tokens worth waiting for before the next take: half a burst, or half of what was asked, so a
   * throttled rule is claimed in small batches a few times per burst instead of one row per
   * wake-up.
   */
  private double refillTarget(double rate, int asked) {
    double capacity = Math.max(1, rate * props.burst().toNanos() / 1e9);
    return Math.min(capacity, asked) / 2;
  }

  /**
   * Kafka mode, on a sender: takes one of this instance's connection slots of {@code c}'s rule for
   * a send about to start, or returns false (and counts {@code ums.delivery.capped}) when the rule
   * already has {@code connections} sends in flight here. Never waits. A true return must be
   * matched by {@link #sendEnded}. Rules without a cap (and mail no limited rule covers) always get
   * a slot.
   *
   * <p>Why a check at the send rather than at the claim: in Kafka mode the sender does not choose
   * its rows, the consumer group hands it whatever the relay published, so the cap can only be held
   * where the send starts. The relay's claim caps a rule only per publish round, which bounds
   * nothing once sends outlast a round. The count is separate from the claim's {@code inHand}, so
   * an instance that runs both roles keeps the relay's and the sender's counts apart.
   */
  public boolean startSend(Claim c) {
    Lane lane = lane(c.deliveryRule());
    if (lane == null) {
      return true;
    }
    if (lane.connections == null) {
      lane.sending.incrementAndGet();
      return true;
    }
    while (true) {
      int now = lane.sending.get();
      if (now >= lane.connections) {
        lane.capped.increment();
        return false;
      }
      if (lane.sending.compareAndSet(now, now + 1)) {
        return true;
      }
    }
  }

  /** Kafka mode: a send that {@link #startSend} let start has ended; frees its slot. */
  public void sendEnded(Claim c) {
    Lane lane = lane(c.deliveryRule());
    if (lane != null) {
      lane.sending.updateAndGet(v -> Math.max(0, v - 1));
    }
  }

  /**
   * How long a message waits in the queue when a Kafka sender gives it back because its rule's
   * connection cap is full there: {@code ums.delivery.adaptive.retry-after}, as for a rate-limit
   * reply (both mean "this destination has no room right now").
   */
  public Duration retryAfterCapped() {
    return props.adaptive().retryAfter();
  }

  /** A claimed row is done (sent, failed or released): frees its rule's connection slot. */
  public void done(Claim c) {
    Lane lane = lane(c.deliveryRule());
    if (lane != null) {
      lane.inHand.updateAndGet(v -> Math.max(0, v - 1));
    }
  }

  /**
   * Whether an SMTP reply to {@code c} says the destination is rate limiting us (one of the
   * configured codes, and text matching the configured pattern) and its rule has a rate to adapt.
   * If so the rule's rate is cut (at most once per cool-down, fleet-wide on a shared store), the
   * cut is logged, and the caller should put the message back without charging an attempt.
   */
  public boolean throttled(Claim c, Integer code, String text) {
    DeliveryProperties.Adaptive a = props.adaptive();
    if (!active || !a.enabled() || code == null || !a.codes().contains(code)) {
      return false;
    }
    Lane lane = lane(c.deliveryRule());
    if (lane == null || !lane.adaptive) {
      return false;
    }
    if (text == null || !throttlePattern.matcher(text.toLowerCase(Locale.ROOT)).find()) {
      return false;
    }
    lane.throttled.increment();
    double lowered = budgets.cut(bucket(lane), lane.rate);
    if (lowered >= 0) {
      lane.currentRate = lowered;
      log.warn(
          "event=delivery_rate_cut rule={} code={} rate={} configured={}",
          lane.name,
          code,
          String.format(Locale.ROOT, "%.2f", lowered),
          lane.rate);
    }
    return true;
  }

  /** How long a message refused for rate limiting waits before it may be claimed again. */
  public Duration retryAfterThrottle() {
    return props.adaptive().retryAfter();
  }

  private Lane lane(String rule) {
    if (rule == null) {
      return null;
    }
    Lane l = byName.get(rule);
    if (l == null && defaultLimited && !props.domains().containsKey(rule)) {
      return byName.get(DeliveryRules.DEFAULT); // a name no rule has any more
    }
    return l;
  }

  private static String bucket(Lane lane) {
    return "rule:" + lane.name;
  }

  // ---- state for the admin API ----------------------------------------------------------------

  /** A rule's settings and live state. */
  public record RuleState(
      String name,
      Double configuredRate,
      Double currentRate,
      Integer connections,
      int inFlightHere,
      double tokens) {}

  /** The global budget's state; null when there is no global rate. */
  public record GlobalState(double maxRate, double currentRate, double tokens) {}

  GlobalState global() {
    if (maxRate == null) {
      return null;
    }
    Budgets.Grant g = budgets.peek(GLOBAL, maxRate);
    return new GlobalState(maxRate, g.rate(), g.tokens());
  }

  List<RuleState> rules() {
    List<RuleState> out = new ArrayList<>();
    Map<String, Lane> seen = new ConcurrentHashMap<>(byName);
    for (String name : props.domains().keySet()) {
      out.add(state(name, seen.get(name)));
    }
    out.add(state(DeliveryRules.DEFAULT, seen.get(DeliveryRules.DEFAULT)));
    return out;
  }

  private RuleState state(String name, Lane lane) {
    if (lane == null) {
      return new RuleState(name, null, null, null, 0, 0);
    }
    Double current = null;
    double tokens = 0;
    if (lane.rate != null) {
      Budgets.Grant g = budgets.peek(bucket(lane), lane.rate);
      current = g.rate();
      tokens = g.tokens();
      lane.currentRate = current;
    }
    return new RuleState(
        name, lane.rate, current, lane.connections, lane.inHand.get() + lane.sending.get(), tokens);
  }
}
