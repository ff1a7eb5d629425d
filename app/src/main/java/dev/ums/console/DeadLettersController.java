package dev.ums.console;

import dev.ums.failure.Cursor;
import dev.ums.failure.DeadLetterFilter;
import dev.ums.failure.DeadLetterPage;
import dev.ums.failure.DeadLetterService;
import dev.ums.ledger.FailureClass;
import dev.ums.security.AuditLog;
import dev.ums.security.Caller;
import dev.ums.security.RecipientIndex;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import jakarta.servlet.http.HttpServletRequest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Dead letters: the listing with the admin API's filters, and re-drive and resolve of one, of the
 * ones ticked, or (re-drive) of every one a filter matches. Each action first shows a confirmation
 * page that says how many messages it will touch, counted when the page is drawn; the result page
 * says how many it did touch (only what is FAILED at that moment moves, as with the API). Actions
 * go through {@link DeadLetterService} and are audited as the API's are.
 */
@Controller
class DeadLettersController {

  static final int MAX_TEXT = 200;
  static final int MAX_IDS = 10_000;

  private final DeadLetterService service;
  private final RecipientIndex index;
  private final AuditLog audit;
  private final ConsoleProperties props;

  DeadLettersController(
      DeadLetterService service, RecipientIndex index, AuditLog audit, ConsoleProperties props) {
    this.service = service;
    this.index = index;
    this.audit = audit;
    this.props = props;
  }

  /** The filter form, as submitted. */
  record Filter(
      String from,
      String to,
      String classification,
      String domain,
      String recipient,
      Boolean includeResolved,
      String cursor) {

    public boolean resolvedToo() {
      return Boolean.TRUE.equals(includeResolved);
    }

    public boolean any() {
      return Forms.blankToNull(from) != null
          || Forms.blankToNull(to) != null
          || Forms.blankToNull(classification) != null
          || Forms.blankToNull(domain) != null
          || Forms.blankToNull(recipient) != null;
    }
  }

  @RequestMapping(
      path = "/console/dead-letters",
      method = {RequestMethod.GET, RequestMethod.POST})
  String list(Filter form, HttpServletRequest request, Model model) {
    if ("GET".equals(request.getMethod()) && form.recipient() != null) {
      form = withoutRecipient(form);
      model.addAttribute(
          "error", "Filter by recipient with the form (the address stays out of URLs).");
    }
    model.addAttribute("form", form);
    model.addAttribute("classes", FailureClass.values());
    List<String> errors = new ArrayList<>();
    DeadLetterFilter filter = filter(form, null, errors);
    Cursor cursor = null;
    try {
      cursor = Cursor.decode(Forms.blankToNull(form.cursor()));
    } catch (ApiProblem p) {
      errors.add("cursor: malformed");
    }
    if (!errors.isEmpty()) {
      model.addAttribute("errors", errors);
      return "console/dead-letters";
    }
    DeadLetterPage page = service.list(filter, cursor, props.pageSize());
    model.addAttribute("page", page);
    return "console/dead-letters";
  }

  /** Confirmation of a bulk re-drive by filter: how many match now. */
  @PostMapping("/console/dead-letters/bulk")
  String confirmBulk(Filter form, Model model) {
    List<String> errors = new ArrayList<>();
    DeadLetterFilter filter = filter(form, null, errors);
    if (!errors.isEmpty()) {
      model.addAttribute("form", form);
      model.addAttribute("classes", FailureClass.values());
      model.addAttribute("errors", errors);
      return "console/dead-letters";
    }
    model.addAttribute("form", form);
    model.addAttribute("count", service.count(filter));
    return "console/dead-letters-bulk";
  }

  @PostMapping("/console/dead-letters/bulk/redrive")
  String bulk(Filter form, Model model) {
    List<String> errors = new ArrayList<>();
    DeadLetterFilter filter = filter(form, null, errors);
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors.stream().map(e -> FieldProblem.of("filter", e)).toList());
    }
    int n = audit.audited("dead_letter.redrive_bulk", "filter", () -> service.redrive(filter));
    model.addAttribute("done", n);
    model.addAttribute("action", "re-driven");
    return "console/dead-letters-done";
  }

  /** Confirmation for the ticked dead letters: how many of them can be re-driven or resolved. */
  @PostMapping("/console/dead-letters/selected")
  String confirmSelected(
      @RequestParam(name = "ids", required = false) List<UUID> ids,
      @RequestParam String action,
      Model model) {
    List<UUID> chosen = ids == null ? List.of() : ids.stream().distinct().toList();
    if (chosen.isEmpty()) {
      model.addAttribute("error", "Tick at least one dead letter first.");
      model.addAttribute("form", new Filter(null, null, null, null, null, false, null));
      model.addAttribute("classes", FailureClass.values());
      model.addAttribute(
          "page", service.list(filter(null, null, new ArrayList<>()), null, props.pageSize()));
      return "console/dead-letters";
    }
    if (chosen.size() > MAX_IDS) {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("ids", "at most " + MAX_IDS + " at a time")));
    }
    boolean redrive = "redrive".equals(action);
    // A single re-drive moves a resolved dead letter too; resolve skips resolved ones.
    long count = service.count(new DeadLetterFilter(null, null, null, null, redrive, chosen, null));
    model.addAttribute("ids", chosen);
    model.addAttribute("count", count);
    model.addAttribute("redrive", redrive);
    model.addAttribute("by", Caller.current().actor());
    return "console/dead-letters-selected";
  }

  @PostMapping("/console/dead-letters/selected/redrive")
  String redriveSelected(@RequestParam("ids") List<UUID> ids, Model model) {
    List<UUID> chosen = ids.stream().distinct().limit(MAX_IDS).toList();
    DeadLetterFilter filter = new DeadLetterFilter(null, null, null, null, true, chosen, null);
    int n = audit.audited("dead_letter.redrive_bulk", "ids", () -> service.redrive(filter));
    model.addAttribute("done", n);
    model.addAttribute("action", "re-driven");
    return "console/dead-letters-done";
  }

  @PostMapping("/console/dead-letters/selected/resolve")
  String resolveSelected(
      @RequestParam("ids") List<UUID> ids,
      @RequestParam(defaultValue = "") String by,
      @RequestParam(defaultValue = "") String reason,
      Model model) {
    checkResolution(by, reason);
    int n = 0;
    for (UUID id : ids.stream().distinct().limit(MAX_IDS).toList()) {
      try {
        audit.audited(
            "dead_letter.resolve",
            id.toString(),
            () -> service.resolve(id, by.strip(), reason.strip()));
        n++;
      } catch (ApiProblem p) {
        // Not FAILED any more, or resolved meanwhile: counted out, audited as refused.
      }
    }
    model.addAttribute("done", n);
    model.addAttribute("action", "resolved");
    return "console/dead-letters-done";
  }

  @GetMapping("/console/dead-letters/{id}/redrive")
  String confirmRedrive(@PathVariable UUID id, Model model) {
    model.addAttribute("id", id);
    model.addAttribute(
        "count",
        service.count(new DeadLetterFilter(null, null, null, null, true, List.of(id), null)));
    return "console/dead-letter-redrive";
  }

  @PostMapping("/console/dead-letters/{id}/redrive")
  String redrive(@PathVariable UUID id, RedirectAttributes flash) {
    try {
      audit.audited("dead_letter.redrive", id.toString(), () -> service.redrive(id));
      flash.addFlashAttribute("notice", "Re-drove 1 message: it is queued for delivery.");
    } catch (ApiProblem p) {
      if (p.status() == HttpStatus.NOT_FOUND) {
        throw p;
      }
      flash.addFlashAttribute("error", p.getMessage());
    }
    return "redirect:/console/messages/" + id;
  }

  @GetMapping("/console/dead-letters/{id}/resolve")
  String confirmResolve(@PathVariable UUID id, Model model) {
    model.addAttribute("id", id);
    model.addAttribute(
        "count",
        service.count(new DeadLetterFilter(null, null, null, null, false, List.of(id), null)));
    model.addAttribute("by", Caller.current().actor());
    return "console/dead-letter-resolve";
  }

  @PostMapping("/console/dead-letters/{id}/resolve")
  String resolve(
      @PathVariable UUID id,
      @RequestParam(defaultValue = "") String by,
      @RequestParam(defaultValue = "") String reason,
      RedirectAttributes flash) {
    checkResolution(by, reason);
    try {
      audit.audited(
          "dead_letter.resolve",
          id.toString(),
          () -> service.resolve(id, by.strip(), reason.strip()));
      flash.addFlashAttribute("notice", "Resolved 1 dead letter.");
    } catch (ApiProblem p) {
      if (p.status() == HttpStatus.NOT_FOUND) {
        throw p;
      }
      flash.addFlashAttribute("error", p.getMessage());
    }
    return "redirect:/console/messages/" + id;
  }

  /** The same rules as {@code POST /api/admin/dead-letters/{id}/resolve}. */
  private static void checkResolution(String by, String reason) {
    List<FieldProblem> errors = new ArrayList<>();
    checkText("by", by, errors);
    checkText("reason", reason, errors);
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
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

  private DeadLetterFilter filter(Filter form, List<UUID> ids, List<String> errors) {
    if (form == null) {
      return new DeadLetterFilter(null, null, null, null, false, ids, null);
    }
    Instant from = Forms.instant("from", form.from(), errors);
    Instant to = Forms.instant("to", form.to(), errors);
    FailureClass classification = null;
    String c = Forms.blankToNull(form.classification());
    if (c != null) {
      classification = FailureClass.parse(c).orElse(null);
      if (classification == null) {
        errors.add("classification: unknown");
      }
    }
    List<FieldProblem> problems = new ArrayList<>();
    List<String> digests =
        index.filter(
            Forms.blankToNull(form.recipient()), Forms.blankToNull(form.domain()), problems);
    problems.forEach(p -> errors.add(p.field() + ": " + p.message()));
    return new DeadLetterFilter(
        from,
        to,
        classification,
        digests.isEmpty() ? null : digests,
        form.resolvedToo(),
        ids,
        null);
  }

  private static Filter withoutRecipient(Filter f) {
    return new Filter(
        f.from(), f.to(), f.classification(), f.domain(), null, f.includeResolved(), f.cursor());
  }
}
