package dev.ums.console;

import dev.ums.observability.AlertEvaluator;
import dev.ums.observability.AlertRule;
import dev.ums.observability.DeliveryHistory;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.health.actuate.endpoint.HealthDescriptor;
import org.springframework.boot.health.actuate.endpoint.HealthEndpoint;
import org.springframework.boot.health.actuate.endpoint.IndicatedHealthDescriptor;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The overview: messages per status, the backlog, the last hour per minute, alert states and the
 * health of the relay and the dispatcher. Read-only; the fragment behind {@code
 * /console/overview/live} is what the page re-reads every 10 s (htmx; without script, reload).
 */
@Controller
class OverviewController {

  /** Health components shown, in this order, with the details worth a glance. */
  private static final Map<String, List<String>> COMPONENTS = new LinkedHashMap<>();

  static {
    COMPONENTS.put("db", List.of());
    COMPONENTS.put("smtpRelay", List.of("error", "downSince", "checkedAt"));
    COMPONENTS.put("dispatcher", List.of("relayBreaker", "inFlight", "activeSends", "error"));
    COMPONENTS.put("backlog", List.of());
  }

  private final DeliveryHistory history;
  private final MeterRegistry meters;
  private final ObjectProvider<AlertEvaluator> alerts;
  private final ObjectProvider<HealthEndpoint> health;
  private final Clock clock;

  OverviewController(
      DeliveryHistory history,
      MeterRegistry meters,
      ObjectProvider<AlertEvaluator> alerts,
      ObjectProvider<HealthEndpoint> health,
      Clock clock) {
    this.history = history;
    this.meters = meters;
    this.alerts = alerts;
    this.health = health;
    this.clock = clock;
  }

  /** One alert rule and whether it fires on this instance now. */
  record AlertState(String key, String summary, String severity, boolean firing) {}

  /** One health component: its status and a few details. */
  record Component(String name, String status, Map<String, Object> details) {}

  @GetMapping("/console")
  String overview(Model model) {
    fill(model);
    return "console/overview";
  }

  @GetMapping("/console/overview/live")
  String live(Model model) {
    fill(model);
    return "console/overview :: live";
  }

  private void fill(Model model) {
    Instant now = clock.instant();
    model.addAttribute("now", now);
    model.addAttribute("counts", history.countByStatus());
    model.addAttribute("backlog", gauge("ums.outbox.backlog"));
    Double age = gauge("ums.outbox.oldest.due.age");
    model.addAttribute("oldestDueAge", age == null ? null : Duration.ofMillis((long) (age * 1000)));
    model.addAttribute("chart", MinuteChart.of(history.perMinute(now, 60)));
    AlertEvaluator evaluator = alerts.getIfAvailable();
    Set<AlertRule> firing = evaluator == null ? Set.of() : evaluator.firing();
    List<AlertState> states = new ArrayList<>();
    for (AlertRule r : AlertRule.values()) {
      if (!r.evaluated()) {
        continue;
      }
      states.add(new AlertState(r.key(), r.summary(), r.severity(), firing.contains(r)));
    }
    model.addAttribute("alertsEnabled", evaluator != null);
    model.addAttribute("alerts", states);
    model.addAttribute("components", components());
  }

  /** A gauge's value; null when it is absent or unknown (NaN: its last reading failed). */
  private Double gauge(String name) {
    Gauge g = meters.find(name).gauge();
    if (g == null || Double.isNaN(g.value())) {
      return null;
    }
    return g.value();
  }

  private List<Component> components() {
    HealthEndpoint endpoint = health.getIfAvailable();
    List<Component> out = new ArrayList<>();
    if (endpoint == null) {
      return out;
    }
    COMPONENTS.forEach(
        (name, keys) -> {
          HealthDescriptor d;
          try {
            d = endpoint.healthForPath(name);
          } catch (RuntimeException e) {
            out.add(new Component(name, "UNKNOWN", Map.of("error", e.getClass().getSimpleName())));
            return;
          }
          if (d == null) {
            return; // not present here (e.g. no dispatcher on this instance)
          }
          Map<String, Object> details = new LinkedHashMap<>();
          if (d instanceof IndicatedHealthDescriptor i && i.getDetails() != null) {
            for (String k : keys) {
              Object v = i.getDetails().get(k);
              if (v != null) {
                details.put(k, v);
              }
            }
          }
          out.add(new Component(name, d.getStatus().getCode(), details));
        });
    return out;
  }
}
