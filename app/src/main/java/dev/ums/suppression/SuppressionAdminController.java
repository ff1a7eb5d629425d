package dev.ums.suppression;

import dev.ums.security.AuditLog;
import dev.ums.web.ApiProblem;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/admin/suppressions}: every client's suppression list (ADMIN key). */
@RestController
class SuppressionAdminController {

  private final Suppressions suppressions;
  private final AuditLog audit;

  SuppressionAdminController(Suppressions suppressions, AuditLog audit) {
    this.suppressions = suppressions;
    this.audit = audit;
  }

  @GetMapping(path = "/api/admin/suppressions", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, List<Suppression>> list(
      @RequestParam(required = false) String clientId,
      @RequestParam(required = false) Instant before,
      @RequestParam(defaultValue = "100") int limit) {
    return Map.of("suppressions", suppressions.list(clientId, before, limit));
  }

  @DeleteMapping("/api/admin/suppressions/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void remove(@PathVariable UUID id) {
    if (!audit.audited("suppression.remove", id.toString(), () -> suppressions.remove(null, id))) {
      throw ApiProblem.notFound("Suppression");
    }
  }

  /** Clears a client's whole list. */
  @DeleteMapping(path = "/api/admin/suppressions", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Integer> clear(@RequestParam String clientId) {
    return Map.of(
        "removed",
        audit.audited("suppression.clear", clientId, () -> suppressions.clear(clientId)));
  }
}
