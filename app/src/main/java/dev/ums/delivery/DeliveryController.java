package dev.ums.delivery;

import dev.ums.ledger.NewMessage;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/admin/delivery} (ADMIN, like all of {@code /api/admin}): delivery control as it
 * stands: the global budget, each rule's configured and current rate, what waits per rule and per
 * priority, and each client's backlog. Counts are read from the queue on each request.
 */
@RestController
class DeliveryController {

  /**
   * The answer.
   *
   * @param global the global rate and its budget; null when unlimited
   * @param rules every configured rule, then {@code default}
   * @param waitingByRule unclaimed messages per stored rule name
   * @param waitingByPriority unclaimed messages per priority
   * @param backlogByClient unclaimed messages per client
   * @param fairShare whether claims are shared between clients
   */
  record DeliveryView(
      DeliveryControl.GlobalState global,
      List<DeliveryControl.RuleState> rules,
      Map<String, Long> waitingByRule,
      Map<String, Long> waitingByPriority,
      Map<String, Long> backlogByClient,
      boolean fairShare) {}

  private final DeliveryControl control;
  private final DeliveryStats stats;
  private final DeliveryProperties props;

  DeliveryController(DeliveryControl control, DeliveryStats stats, DeliveryProperties props) {
    this.control = control;
    this.stats = stats;
    this.props = props;
  }

  @GetMapping(path = "/api/admin/delivery", produces = MediaType.APPLICATION_JSON_VALUE)
  DeliveryView delivery() {
    Map<String, Long> byRule = stats.waitingByRule();
    byRule.putIfAbsent(NewMessage.DEFAULT_RULE, 0L);
    return new DeliveryView(
        control.global(),
        control.rules(),
        byRule,
        stats.waitingByPriority(),
        stats.waitingByClient(),
        props.fairShare().enabled());
  }
}
