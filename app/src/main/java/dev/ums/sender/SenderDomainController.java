package dev.ums.sender;

import dev.ums.security.AuditLog;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin management of each client's allowed sender domains: {@code GET} and {@code PUT
 * /api/admin/clients/{clientId}/sender-domains} (ADMIN only, by the security configuration). A
 * {@code PUT} replaces the whole list and is audited as {@code client.sender_domains.set}.
 */
@RestController
class SenderDomainController {

  static final Pattern CLIENT_ID = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /**
   * A DNS host name in ASCII (A-labels for internationalised names): two or more LDH labels, the
   * last not all digits (so no IP addresses), at most 253 characters.
   */
  static final Pattern DOMAIN =
      Pattern.compile(
          "(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+(?![0-9]+$)[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?",
          Pattern.CASE_INSENSITIVE); // ASCII-only case folding: no Unicode look-alikes

  static final int MAX_DOMAINS = 100;

  private final SenderDomains domains;
  private final AuditLog audit;

  SenderDomainController(SenderDomains domains, AuditLog audit) {
    this.domains = domains;
    this.audit = audit;
  }

  /** {@code {"clientId": "shop", "domains": ["shop.example"]}} */
  record ClientDomains(String clientId, List<String> domains) {}

  @GetMapping(
      path = "/api/admin/clients/{clientId}/sender-domains",
      produces = MediaType.APPLICATION_JSON_VALUE)
  ClientDomains get(@PathVariable String clientId) {
    checkClientId(clientId);
    return new ClientDomains(clientId, domains.list(clientId));
  }

  /** Body: a JSON list of domains, e.g. {@code ["shop.example"]}; {@code []} removes them all. */
  @PutMapping(
      path = "/api/admin/clients/{clientId}/sender-domains",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ClientDomains put(
      @PathVariable String clientId, @RequestBody(required = false) List<String> body) {
    checkClientId(clientId);
    return audit.audited(
        "client.sender_domains.set",
        clientId,
        () -> {
          List<String> normalised = normalise(body);
          domains.replace(clientId, normalised);
          return new ClientDomains(clientId, domains.list(clientId));
        });
  }

  private static void checkClientId(String clientId) {
    if (!CLIENT_ID.matcher(clientId).matches()) {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("clientId", "1..64 of letters, digits, '.', '_', '-'")));
    }
  }

  /** Lower-cased and de-duplicated, or a 400 naming each bad entry by its position. */
  static List<String> normalise(List<String> body) {
    if (body == null) {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("$", "a JSON list of domains is required")));
    }
    if (body.size() > MAX_DOMAINS) {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("$", "at most " + MAX_DOMAINS + " domains")));
    }
    List<FieldProblem> errors = new ArrayList<>();
    Set<String> out = new LinkedHashSet<>();
    for (int i = 0; i < body.size(); i++) {
      String d = body.get(i) == null ? "" : body.get(i);
      if (!DOMAIN.matcher(d).matches()) {
        errors.add(
            FieldProblem.of(
                "[" + i + "]",
                "not a domain name (ASCII letters, digits, '-', at least two labels;"
                    + " IDNs as xn-- A-labels)"));
      } else {
        out.add(d.toLowerCase(Locale.ROOT));
      }
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    return List.copyOf(out);
  }
}
