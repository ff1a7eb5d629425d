package dev.ums.console;

import dev.ums.security.ApiKeys;
import dev.ums.security.AuditLog;
import dev.ums.security.Role;
import dev.ums.web.ApiProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * API keys and the audit trail. A new key is shown once, on the page that answers its creation (not
 * cached: every console page is {@code no-store}); listings show labels only. Creation and
 * revocation are audited as {@code key.create} and {@code key.revoke}, as with the API.
 */
@Controller
class KeysController {

  /** The API's rules ({@code POST /api/admin/keys}). */
  static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  static final int AUDIT_LIMIT = 200;

  private final ApiKeys keys;
  private final AuditLog audit;

  KeysController(ApiKeys keys, AuditLog audit) {
    this.keys = keys;
    this.audit = audit;
  }

  @GetMapping("/console/keys")
  String list(Model model) {
    model.addAttribute("keys", keys.list());
    model.addAttribute("roles", Role.values());
    return "console/keys";
  }

  @PostMapping("/console/keys")
  String create(
      @RequestParam(defaultValue = "") String clientId,
      @RequestParam(defaultValue = "") String role,
      @RequestParam(defaultValue = "") String name,
      Model model) {
    List<String> errors = new ArrayList<>();
    String client = clientId.strip();
    if (!CLIENT_ID.matcher(client).matches()) {
      errors.add("clientId: 1..64 of letters, digits, '.', '_', '-'");
    }
    Role r = Forms.oneOf(Role.class, "role", role, errors);
    if (r == null && errors.isEmpty()) {
      errors.add("role: SENDER or ADMIN");
    }
    String n = Forms.blankToNull(name);
    if (n != null && (n.length() > 128 || n.matches("(?s).*[\\r\\n].*"))) {
      errors.add("name: at most 128 characters, one line");
    }
    if (!errors.isEmpty()) {
      model.addAttribute("errors", errors);
      return list(model);
    }
    ApiKeys.NewKey k = keys.create(client, r, n);
    audit.record("key.create", k.info().id().toString(), "OK");
    model.addAttribute("created", k);
    return "console/key-created";
  }

  @GetMapping("/console/keys/{id}/revoke")
  String confirmRevoke(@PathVariable UUID id, Model model) {
    ApiKeys.KeyInfo key =
        keys.list().stream()
            .filter(k -> k.id().equals(id))
            .findFirst()
            .orElseThrow(() -> ApiProblem.notFound("Key"));
    model.addAttribute("key", key);
    return "console/key-revoke";
  }

  @PostMapping("/console/keys/{id}/revoke")
  String revoke(@PathVariable UUID id, RedirectAttributes flash) {
    boolean done = keys.revoke(id);
    audit.record("key.revoke", id.toString(), done ? "OK" : "NOT_FOUND");
    if (done) {
      flash.addFlashAttribute("notice", "Revoked 1 key. It is refused from its next request.");
    } else {
      flash.addFlashAttribute("error", "That key is unknown or already revoked.");
    }
    return "redirect:/console/keys";
  }

  @GetMapping("/console/audit")
  String audit(@RequestParam(defaultValue = "100") int limit, Model model) {
    int n = Math.max(1, Math.min(AUDIT_LIMIT, limit));
    model.addAttribute("events", audit.recent(n));
    model.addAttribute("limit", n);
    return "console/audit";
  }
}
