package dev.ums.message;

import dev.ums.security.AuditLog;
import dev.ums.security.RecipientIndex;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * Admin reads of any client's messages (ADMIN role, see SecurityConfig), each written to the audit
 * trail:
 *
 * <ul>
 *   <li>{@code GET /api/admin/messages?recipient=ann@example.com} (and/or {@code domain=}): the
 *       messages of a recipient, found through the blind index without decrypting any row; newest
 *       first, {@code limit} (1–200, default 50) and {@code cursor} (the {@code next} of the
 *       previous page); {@code tag=name:value} (repeatable) narrows it, or alone lists the messages
 *       with those tags. Audited as {@code message.search}; the address itself is never logged.
 *   <li>{@code GET /api/admin/messages/{id}/content}: the decrypted mail. Audited as {@code
 *       message.read_content} with the message id.
 * </ul>
 */
@RestController
@RequestMapping(path = "/api/admin/messages", produces = MediaType.APPLICATION_JSON_VALUE)
class MessageAdminController {

  static final int DEFAULT_LIMIT = 50;
  static final int MAX_LIMIT = 200;

  private final MessageLookup lookup;
  private final RecipientIndex index;
  private final AuditLog audit;

  MessageAdminController(MessageLookup lookup, RecipientIndex index, AuditLog audit) {
    this.lookup = lookup;
    this.index = index;
    this.audit = audit;
  }

  @GetMapping
  MessageLookup.Page find(
      @RequestParam(required = false) String recipient,
      @RequestParam(required = false) String domain,
      @RequestParam(required = false) List<String> tag,
      @RequestParam(defaultValue = "" + DEFAULT_LIMIT) int limit,
      @RequestParam(required = false) UUID cursor) {
    List<FieldProblem> errors = new ArrayList<>();
    List<String> digests = index.filter(recipient, domain, errors);
    List<String> tags = Tags.filter(tag, errors);
    if (digests.isEmpty() && tags == null && errors.isEmpty()) {
      errors.add(FieldProblem.of("recipient", "give a recipient, a domain or a tag to look up"));
    }
    if (limit < 1 || limit > MAX_LIMIT) {
      errors.add(FieldProblem.of("limit", "must be between 1 and " + MAX_LIMIT));
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    List<String> tagFilter = tags == null ? List.of() : tags;
    return audit.audited(
        "message.search",
        digests.isEmpty() ? "tag" : "recipient",
        () -> lookup.find(digests, tagFilter, cursor, limit));
  }

  @GetMapping("/{id}/content")
  MailContent content(@PathVariable UUID id) {
    return audit.audited("message.read_content", id.toString(), () -> lookup.content(id));
  }
}
