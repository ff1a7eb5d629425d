package dev.ums.suppression;

import dev.ums.security.AuditLog;
import dev.ums.security.Caller;
import dev.ums.web.ApiProblem;
import java.net.URI;
import java.time.Instant;
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

/**
 * {@code /api/suppressions}: the caller's client's suppression list (SENDER or ADMIN key). An
 * address goes in a request body, never in a URL (URLs end up in access logs); entries come back by
 * their opaque id.
 */
@RestController
class SuppressionController {

  private final Suppressions suppressions;
  private final AuditLog audit;

  SuppressionController(Suppressions suppressions, AuditLog audit) {
    this.suppressions = suppressions;
    this.audit = audit;
  }

  @PostMapping(
      path = "/api/suppressions",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<Suppression> add(@RequestBody SuppressionRequest request) {
    Caller caller = Caller.current();
    Suppression s =
        audit.audited(
            "suppression.add",
            caller.clientId(),
            () -> suppressions.add(caller.clientId(), request));
    return ResponseEntity.created(URI.create("/api/suppressions/" + s.id())).body(s);
  }

  @GetMapping(path = "/api/suppressions", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, List<Suppression>> list(
      @RequestParam(required = false) Instant before,
      @RequestParam(defaultValue = "100") int limit) {
    return Map.of("suppressions", suppressions.list(Caller.current().clientId(), before, limit));
  }

  /** Removes an address, given in the body ({@code {"address": "…"}}). */
  @DeleteMapping(path = "/api/suppressions", consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void removeAddress(@RequestBody SuppressionRequest request) {
    Caller caller = Caller.current();
    boolean removed =
        audit.audited(
            "suppression.remove",
            caller.clientId(),
            () ->
                suppressions.remove(caller.clientId(), request == null ? null : request.address()));
    if (!removed) {
      throw ApiProblem.notFound("Suppression");
    }
  }

  @DeleteMapping("/api/suppressions/{id}")
  @ResponseStatus(HttpStatus.NO_CONTENT)
  void remove(@PathVariable UUID id) {
    Caller caller = Caller.current();
    boolean removed =
        audit.audited(
            "suppression.remove", id.toString(), () -> suppressions.remove(caller.clientId(), id));
    if (!removed) {
      throw ApiProblem.notFound("Suppression");
    }
  }
}
