package dev.ums.webhook;

import dev.ums.security.AuditLog;
import dev.ums.security.Caller;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/webhooks}: the caller's client's endpoints (SENDER or ADMIN key). */
@RestController
class WebhookController {

  private final WebhookService webhooks;
  private final AuditLog audit;

  WebhookController(WebhookService webhooks, AuditLog audit) {
    this.webhooks = webhooks;
    this.audit = audit;
  }

  @PostMapping(
      path = "/api/webhooks",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<WebhookEndpoint> create(@RequestBody WebhookRequest request) {
    Caller caller = Caller.current();
    WebhookEndpoint created =
        audit.audited(
            "webhook.create", caller.clientId(), () -> webhooks.create(caller.clientId(), request));
    return ResponseEntity.created(URI.create("/api/webhooks/" + created.id())).body(created);
  }

  @GetMapping(path = "/api/webhooks", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, List<WebhookEndpoint>> list() {
    return Map.of("webhooks", webhooks.list(Caller.current().clientId()));
  }

  @GetMapping(path = "/api/webhooks/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  WebhookEndpoint get(@PathVariable UUID id) {
    return webhooks.get(Caller.current().clientId(), id);
  }

  @DeleteMapping("/api/webhooks/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void delete(@PathVariable UUID id) {
    Caller caller = Caller.current();
    audit.audited(
        "webhook.delete",
        id.toString(),
        () -> {
          webhooks.delete(caller.clientId(), id);
          return null;
        });
  }

  @PostMapping(path = "/api/webhooks/{id}/enable", produces = MediaType.APPLICATION_JSON_VALUE)
  WebhookEndpoint enable(@PathVariable UUID id) {
    Caller caller = Caller.current();
    return audit.audited(
        "webhook.enable", id.toString(), () -> webhooks.enable(caller.clientId(), id));
  }

  @GetMapping(path = "/api/webhooks/{id}/deliveries", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, List<WebhookDelivery>> deliveries(
      @PathVariable UUID id, @RequestParam(defaultValue = "100") int limit) {
    return Map.of("deliveries", webhooks.deliveries(Caller.current().clientId(), id, limit));
  }

  @PostMapping(
      path = "/api/webhooks/{id}/replay",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<Map<String, Integer>> replay(
      @PathVariable UUID id, @RequestBody ReplayRequest request) {
    Caller caller = Caller.current();
    int queued =
        audit.audited(
            "webhook.replay", id.toString(), () -> webhooks.replay(caller.clientId(), id, request));
    return ResponseEntity.accepted().body(Map.of("queued", queued));
  }
}
