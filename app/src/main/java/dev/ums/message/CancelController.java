package dev.ums.message;

import dev.ums.security.AuditLog;
import dev.ums.security.Caller;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Cancel a QUEUED message: by its owning client ({@code /api/messages/{id}/cancel}) or by an admin
 * ({@code /api/admin/messages/{id}/cancel}). See {@link Cancellation} for the rules.
 */
@RestController
class CancelController {

  private final Cancellation cancellation;
  private final AuditLog audit;

  CancelController(Cancellation cancellation, AuditLog audit) {
    this.cancellation = cancellation;
    this.audit = audit;
  }

  @PostMapping(path = "/api/messages/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
  MessageView cancelOwn(@PathVariable UUID id) {
    Caller caller = Caller.current();
    return audit.audited(
        "message.cancel",
        id.toString(),
        () -> cancellation.cancel(id, caller.isAdmin() ? null : caller.clientId()));
  }

  @PostMapping(
      path = "/api/admin/messages/{id}/cancel",
      produces = MediaType.APPLICATION_JSON_VALUE)
  MessageView cancelAny(@PathVariable UUID id) {
    return audit.audited("message.cancel", id.toString(), () -> cancellation.cancel(id, null));
  }
}
