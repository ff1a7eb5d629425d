package dev.ums.console;

import dev.ums.failure.DeadLetter;
import dev.ums.failure.DeadLetterService;
import dev.ums.ledger.MessageStatus;
import dev.ums.message.Cancellation;
import dev.ums.message.MailContent;
import dev.ums.message.MessageLookup;
import dev.ums.security.AuditLog;
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
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/**
 * Messages: find them (by id; by recipient or domain through the blind index, as {@code GET
 * /api/admin/messages} does; by status, client and time), look at one with its attempts and
 * failures, cancel a queued one, and show its content on request.
 *
 * <p>A recipient or domain search is sent as a POST form, so the address never appears in a URL
 * (history, proxy logs, referrers); it is audited as {@code message.search} like the API's. Showing
 * content is a separate POST, audited as {@code message.read_content} like {@code GET
 * /api/admin/messages/{id}/content}; no other console page shows an address, subject or body.
 */
@Controller
class MessagesController {

  private final MessageLookup lookup;
  private final DeadLetterService deadLetters;
  private final Cancellation cancellation;
  private final RecipientIndex index;
  private final AuditLog audit;
  private final ConsoleProperties props;

  MessagesController(
      MessageLookup lookup,
      DeadLetterService deadLetters,
      Cancellation cancellation,
      RecipientIndex index,
      AuditLog audit,
      ConsoleProperties props) {
    this.lookup = lookup;
    this.deadLetters = deadLetters;
    this.cancellation = cancellation;
    this.index = index;
    this.audit = audit;
    this.props = props;
  }

  /** The search form, as submitted. */
  record Search(
      String id,
      String recipient,
      String domain,
      String status,
      String client,
      String from,
      String to,
      String cursor) {}

  @RequestMapping(
      path = "/console/messages",
      method = {RequestMethod.GET, RequestMethod.POST})
  String list(Search form, HttpServletRequest request, Model model) {
    if ("GET".equals(request.getMethod()) && form.recipient() != null) {
      // Addresses are searched by POST only; a link with one in its URL is not followed.
      form =
          new Search(
              form.id(),
              null,
              form.domain(),
              form.status(),
              form.client(),
              form.from(),
              form.to(),
              form.cursor());
      model.addAttribute(
          "error", "Search by recipient with the form (the address stays out of URLs).");
    }
    model.addAttribute("form", form);
    model.addAttribute("statuses", MessageStatus.values());
    List<String> errors = new ArrayList<>();
    UUID id = Forms.uuid("id", form.id(), errors);
    MessageStatus status = Forms.oneOf(MessageStatus.class, "status", form.status(), errors);
    Instant from = Forms.instant("from", form.from(), errors);
    Instant to = Forms.instant("to", form.to(), errors);
    UUID cursor = Forms.uuid("cursor", form.cursor(), errors);
    String client = Forms.blankToNull(form.client());
    List<FieldProblem> problems = new ArrayList<>();
    List<String> digests =
        index.filter(
            Forms.blankToNull(form.recipient()), Forms.blankToNull(form.domain()), problems);
    problems.forEach(p -> errors.add(p.field() + ": " + p.message()));
    if (!errors.isEmpty()) {
      model.addAttribute("errors", errors);
      return "console/messages";
    }
    MessageLookup.Criteria criteria =
        new MessageLookup.Criteria(
            id, digests.isEmpty() ? null : digests, status, client, from, to);
    MessageLookup.Page page =
        digests.isEmpty()
            ? lookup.find(criteria, cursor, props.pageSize())
            : audit.audited(
                "message.search",
                "recipient",
                () -> lookup.find(criteria, cursor, props.pageSize()));
    model.addAttribute("page", page);
    return "console/messages";
  }

  @GetMapping("/console/messages/{id}")
  String detail(@PathVariable UUID id, Model model) {
    fillDetail(id, model);
    return "console/message";
  }

  /** The status block alone: the detail page re-reads it every 2 s while the message is moving. */
  @GetMapping("/console/messages/{id}/status")
  String status(@PathVariable UUID id, Model model) {
    fillDetail(id, model);
    return "console/message :: status";
  }

  private void fillDetail(UUID id, Model model) {
    MessageLookup.Found found =
        lookup
            .find(new MessageLookup.Criteria(id, null, null, null, null, null), null, 1)
            .items()
            .stream()
            .findFirst()
            .orElseThrow(() -> ApiProblem.notFound("Message"));
    DeadLetter history = deadLetters.history(id).orElseThrow(() -> ApiProblem.notFound("Message"));
    model.addAttribute("found", found);
    model.addAttribute("m", found.message());
    MessageStatus status = found.message().status();
    model.addAttribute("cancellable", status.canMoveTo(MessageStatus.CANCELLED));
    model.addAttribute("deadLetter", status == MessageStatus.FAILED);
    model.addAttribute("history", history);
    model.addAttribute("moving", status == MessageStatus.QUEUED || status == MessageStatus.SENDING);
  }

  @GetMapping("/console/messages/{id}/cancel")
  String confirmCancel(@PathVariable UUID id, Model model) {
    fillDetail(id, model);
    return "console/message-cancel";
  }

  @PostMapping("/console/messages/{id}/cancel")
  String cancel(@PathVariable UUID id, RedirectAttributes flash) {
    try {
      audit.audited("message.cancel", id.toString(), () -> cancellation.cancel(id, null));
      flash.addFlashAttribute("notice", "Cancelled 1 message.");
    } catch (ApiProblem p) {
      if (p.status() == HttpStatus.NOT_FOUND) {
        throw p;
      }
      flash.addFlashAttribute("error", p.getMessage());
    }
    return "redirect:/console/messages/" + id;
  }

  @GetMapping("/console/messages/{id}/content")
  String confirmContent(@PathVariable UUID id, Model model) {
    fillDetail(id, model);
    return "console/message-content-confirm";
  }

  @PostMapping("/console/messages/{id}/content")
  String content(@PathVariable UUID id, Model model) {
    fillDetail(id, model);
    MailContent content =
        audit.audited("message.read_content", id.toString(), () -> lookup.content(id));
    model.addAttribute("mail", content);
    return "console/message-content";
  }
}
