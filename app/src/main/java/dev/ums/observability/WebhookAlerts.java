package dev.ums.observability;

import dev.ums.webhook.WebhookEndpointDisabled;
import java.time.Duration;
import java.util.Map;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Turns a disabled webhook endpoint into the one-off alert {@link
 * AlertRule#WEBHOOK_ENDPOINT_DISABLED}: value the hours it failed, threshold {@code
 * ums.webhooks.disable-after} in hours, labelled with the endpoint and client ids. Present only
 * while {@code ums.alerts.enabled} is true, on the same condition as the {@link AlertEvaluator}: an
 * instance with alerts off notifies none, evaluated or one-off.
 */
@Component
@Conditional(AlertProperties.Enabled.class)
class WebhookAlerts {

  private final AlertNotifier notifier;

  WebhookAlerts(AlertNotifier notifier) {
    this.notifier = notifier;
  }

  @EventListener
  void on(WebhookEndpointDisabled e) {
    notifier.oneOff(
        AlertRule.WEBHOOK_ENDPOINT_DISABLED,
        hours(Duration.between(e.failingSince(), e.disabledAt())),
        hours(e.disableAfter()),
        Map.of("endpoint_id", e.endpointId().toString(), "client_id", e.clientId()),
        e.disabledAt());
  }

  private static double hours(Duration d) {
    return d.toSeconds() / 3600.0;
  }
}
