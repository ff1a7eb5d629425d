package dev.ums.failure;

import dev.ums.ledger.FailureClass;
import dev.ums.message.MessageView;
import dev.ums.message.Tags;
import dev.ums.security.AuditLog;
import dev.ums.security.RecipientIndex;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The dead-letter admin API. Not authenticated yet: the security issue puts it behind the ADMIN
 * role.
 */
@RestController
@RequestMapping(path = "/api/admin/dead-letters", produces = MediaType.APPLICATION_JSON_VALUE)
class DeadLetterController {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;
  static final int MAX_TEXT = 200;
  static final int MAX_IDS = 10_000;

  private final DeadLetterService service;
  private final AuditLog audit;
  private final RecipientIndex index;

  DeadLetterController(DeadLetterService service, AuditLog audit, RecipientIndex index) {
    this.service = service;
    this.audit = audit;
    this.index = index;
  }

  @GetMapping
  DeadLetterPage list(
      @RequestParam(required = false) Instant from,
      @RequestParam(required = false) Instant to,
      @RequestParam(required = false) String classification,
      @RequestParam(required = false) String domain,
      @RequestParam(required = false) String recipient,
      @RequestParam(required = false) List<String> tag,
      @RequestParam(defaultValue = "false") boolean includeResolved,
      @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit,
      @RequestParam(required = false) String cursor) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("limit", "must be between 1 and " + MAX_LIMIT)));
    }
    List<FieldProblem> tagErrors = new ArrayList<>();
    List<String> tags = Tags.filter(tag, tagErrors);
    if (!tagErrors.isEmpty()) {
      throw ApiProblem.validation(tagErrors);
    }
    DeadLetterFilter filter =
        new DeadLetterFilter(
            from,
            to,
            classification(classification),
            digests(recipient, domain),
            includeResolved,
            null,
            tags);
    return service.list(filter, Cursor.decode(cursor), limit);
  }

  @PostMapping("/{id}/redrive")
  MessageView redrive(@PathVariable UUID id) {
    return audit.audited("dead_letter.redrive", id.toString(), () -> service.redrive(id));
  }

  @PostMapping(path = "/redrive", consumes = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Integer> redriveAll(@RequestBody RedriveRequest r) {
    if (r.ids() != null && r.ids().size() > MAX_IDS) {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("ids", "at most " + MAX_IDS + " ids per request")));
    }
    if (r.ids() != null && r.ids().contains(null)) {
      throw ApiProblem.validation(List.of(FieldProblem.of("ids", "must not contain null")));
    }
    DeadLetterFilter filter =
        new DeadLetterFilter(
            r.from(),
            r.to(),
            classification(r.classification()),
            digests(r.recipient(), r.domain()),
            Boolean.TRUE.equals(r.includeResolved()),
            r.ids());
    int n = audit.audited("dead_letter.redrive_bulk", "filter", () -> service.redrive(filter));
    return Map.of("redriven", n);
  }

  @PostMapping(path = "/{id}/resolve", consumes = MediaType.APPLICATION_JSON_VALUE)
  DeadLetter resolve(@PathVariable UUID id, @RequestBody ResolveRequest r) {
    List<FieldProblem> errors = new ArrayList<>();
    checkText("by", r.by(), errors);
    checkText("reason", r.reason(), errors);
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    return audit.audited(
        "dead_letter.resolve",
        id.toString(),
        () -> service.resolve(id, r.by().strip(), r.reason().strip()));
  }

  private static void checkText(String field, String value, List<FieldProblem> errors) {
    if (value == null || value.isBlank()) {
      errors.add(FieldProblem.of(field, "is required"));
    } else if (value.length() > MAX_TEXT) {
      errors.add(FieldProblem.of(field, "must be at most " + MAX_TEXT + " characters"));
    } else if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
      errors.add(FieldProblem.of(field, "must not contain CR or LF"));
    }
  }

  /** The blind-index digests for a recipient and/or domain filter; 400 for a bad address. */
  private List<String> digests(String recipient, String domain) {
    List<FieldProblem> errors = new ArrayList<>();
    List<String> digests = index.filter(recipient, domain, errors);
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    return digests.isEmpty() ? null : digests;
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s.strip();
  }

  /** A {@code classification} filter: null when blank, 400 naming the valid ones when unknown. */
  private static FailureClass classification(String text) {
    String t = blankToNull(text);
    if (t == null) {
      return null;
    }
    return FailureClass.parse(t)
        .orElseThrow(
            () ->
                ApiProblem.validation(
                    List.of(
                        FieldProblem.of(
                            "classification",
                            "must be one of "
                                + java.util.Arrays.toString(FailureClass.values())))));
  }
}
