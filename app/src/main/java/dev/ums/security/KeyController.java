package dev.ums.security;

import dev.ums.ledger.DeliveryMode;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Key management and the audit trail, for ADMIN keys. */
@RestController
class KeyController {

  static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final ApiKeys keys;
  private final AuditLog audit;

  KeyController(ApiKeys keys, AuditLog audit) {
    this.keys = keys;
    this.audit = audit;
  }

  /**
   * {@code {"clientId": "shop", "role": "SENDER", "name": "checkout service", "mode": "test"}};
   * {@code mode} left out: {@code live}.
   */
  record CreateKey(String clientId, Role role, String name, String mode) {}

  @PostMapping("/api/admin/keys")
  ResponseEntity<Map<String, Object>> create(@RequestBody CreateKey req) {
    List<FieldProblem> errors = new ArrayList<>();
    if (req.clientId() == null || !CLIENT_ID.matcher(req.clientId()).matches()) {
      errors.add(FieldProblem.of("clientId", "1..64 of letters, digits, '.', '_', '-'"));
    }
    if (req.role() == null) {
      errors.add(FieldProblem.of("role", "SENDER or ADMIN"));
    }
    if (req.name() != null
        && (req.name().length() > 128 || req.name().matches("(?s).*[\\r\\n].*"))) {
      errors.add(FieldProblem.of("name", "at most 128 characters, one line"));
    }
    DeliveryMode mode =
        req.mode() == null ? DeliveryMode.LIVE : DeliveryMode.ofWireName(req.mode());
    if (mode == null) {
      errors.add(FieldProblem.of("mode", "live or test"));
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    ApiKeys.NewKey k = keys.create(req.clientId(), req.role(), req.name(), mode);
    audit.record("key.create", k.info().id().toString(), "OK");
    return ResponseEntity.status(HttpStatus.CREATED).body(Map.of("key", k.key(), "info", k.info()));
  }

  @GetMapping("/api/admin/keys")
  Map<String, Object> list() {
    return Map.of("keys", keys.list());
  }

  @PostMapping("/api/admin/keys/{id}/revoke")
  Map<String, Object> revoke(@PathVariable UUID id) {
    boolean done = keys.revoke(id);
    audit.record("key.revoke", id.toString(), done ? "OK" : "NOT_FOUND");
    if (!done) {
      throw ApiProblem.notFound("Active key");
    }
    return Map.of("id", id, "revoked", true);
  }

  @GetMapping("/api/admin/audit")
  Map<String, Object> audit(@RequestParam(defaultValue = "100") int limit) {
    if (limit < 1 || limit > 1000) {
      throw ApiProblem.validation(List.of(FieldProblem.of("limit", "1..1000")));
    }
    return Map.of("events", audit.recent(limit));
  }
}
