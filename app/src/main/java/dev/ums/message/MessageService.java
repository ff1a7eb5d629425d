package dev.ums.message;

import dev.ums.delivery.DeliveryRules;
import dev.ums.ledger.KeyClaim;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.NewMessage;
import dev.ums.ledger.Priority;
import dev.ums.security.Caller;
import dev.ums.security.ContentCipher;
import dev.ums.security.RecipientIndex;
import dev.ums.sender.AllowedSenders;
import dev.ums.sender.SenderDomains;
import dev.ums.support.Dialect;
import dev.ums.support.Uuid7;
import dev.ums.suppression.Suppressions;
import dev.ums.template.Rendered;
import dev.ums.template.TemplateProblems;
import dev.ums.template.TemplateVersion;
import dev.ums.template.Templates;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.function.Supplier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * Intake: validates, then stores each message, its outbox row and (if a key was sent) its
 * idempotency record in one transaction. Once this returns without throwing, the messages are
 * committed: a crash afterwards loses nothing. Validation happens before the transaction, so a bad
 * request writes nothing and holds no connection.
 */
@Service
public class MessageService {

  private final MessageRepository messages;
  private final Ledger ledger;
  private final IdempotencyStore idempotency;
  private final ConstraintHandlerService constraints;
  private final MessageValidator validator;
  private final LimitsProperties limits;
  private final Duration keyTtl;
  private final TransactionTemplate tx;
  private final ApplicationEventPublisher events;
  private final JsonMapper json;
  private final Clock clock;
  private final Dialect dialect;
  private final ContentCipher cipher;
  private final RecipientIndex index;
  private final GroupCommit groupCommit;
  private final SenderDomains senderDomains;
  private final Templates templates;
  private final DeliveryRules deliveryRules;
  private final Suppressions suppressions;

  MessageService(
      MessageRepository messages,
      Ledger ledger,
      IdempotencyStore idempotency,
      ConstraintHandlerService constraints,
      MailProperties mail,
      LimitsProperties limits,
      IdempotencyProperties keys,
      TransactionTemplate tx,
      ApplicationEventPublisher events,
      JsonMapper json,
      Clock clock,
      Dialect dialect,
      ContentCipher cipher,
      RecipientIndex index,
      GroupCommit groupCommit,
      SenderDomains senderDomains,
      Templates templates,
      DeliveryRules deliveryRules,
      Suppressions suppressions) {
    this.templates = templates;
    this.deliveryRules = deliveryRules;
    this.suppressions = suppressions;
    this.groupCommit = groupCommit;
    this.senderDomains = senderDomains;
    this.cipher = cipher;
    this.index = index;
    this.messages = messages;
    this.ledger = ledger;
    this.idempotency = idempotency;
    this.constraints = constraints;
    this.validator = new MessageValidator(mail, limits);
    this.limits = limits;
    this.keyTtl = keys.ttl();
    this.tx = tx;
    this.events = events;
    this.json = json;
    this.clock = clock;
    this.dialect = dialect;
  }

  /** Accepts one message; see the class comment for the guarantees. */
  public IntakeResult accept(Caller caller, String idempotencyKey, SendRequest request) {
    String clientId = caller.clientId();
    Instant now = now();
    Prepared p = prepare(clientId, request, new HashMap<>());
    MessageValidator.Checked c =
        p.check(validator, now, senders(caller, Collections.singletonList(request)));
    if (!c.errors().isEmpty()) {
      throw ApiProblem.validation(c.errors());
    }
    if (!c.refused().isEmpty()) {
      throw senderRefused(c.refused());
    }
    if (!c.refusedFiles().isEmpty()) {
      throw attachmentRefused(c.refusedFiles());
    }
    if (!p.unusable().isEmpty()) {
      throw TemplateProblems.unusable(p.unusable());
    }
    Set<String> suppressed = suppressions.suppressed(clientId, c.content().allRecipients());
    NewMessage m = newMessage(caller, c, now, priority(request, Priority.NORMAL), suppressed);
    String body =
        json.writeValueAsString(
            new AcceptedMessage(
                null, m.id(), m.initialStatus(), now, suppressedFields(c.content(), suppressed)));
    IntakeResult result =
        store(
            clientId,
            idempotencyKey,
            () -> fingerprint("single", canonical(request)),
            body,
            List.of(m),
            now);
    if (result.replay()) {
      UUID original = json.readValue(result.body(), AcceptedMessage.class).id();
      return new IntakeResult(result.status(), result.body(), true, original);
    }
    return new IntakeResult(result.status(), result.body(), false, m.id());
  }

  /**
   * Accepts all messages of a batch in one transaction, or none if any is invalid (400) or uses a
   * sender the client may not use (422, only when no message is invalid).
   */
  public IntakeResult acceptBatch(Caller caller, String idempotencyKey, BatchRequest batch) {
    String clientId = caller.clientId();
    if (batch == null || batch.messages() == null || batch.messages().isEmpty()) {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("messages", "at least one message is required")));
    }
    int max = limits.maxBatchSize();
    if (batch.messages().size() > max) {
      throw ApiProblem.validation(
          List.of(
              FieldProblem.of(
                  "messages",
                  batch.messages().size() + " messages; a batch may hold at most " + max)));
    }
    Instant now = now();
    AllowedSenders senders = senders(caller, batch.messages());
    List<FieldProblem> errors = new ArrayList<>();
    List<FieldProblem> refused = new ArrayList<>();
    List<FieldProblem> refusedFiles = new ArrayList<>();
    List<FieldProblem> unusable = new ArrayList<>();
    List<NewMessage> rows = new ArrayList<>(batch.messages().size());
    List<AcceptedMessage> answers = new ArrayList<>(batch.messages().size());
    Map<String, Optional<TemplateVersion>> resolved = new HashMap<>();
    List<MessageValidator.Checked> valid = new ArrayList<>(batch.messages().size());
    List<Integer> validIndex = new ArrayList<>(batch.messages().size());
    for (int i = 0; i < batch.messages().size(); i++) {
      MessageValidator.Checked c;
      Prepared p;
      try {
        p = prepare(clientId, batch.messages().get(i), resolved);
        c = p.check(validator, now, senders);
      } catch (ApiProblem tooLarge) {
        throw tooLarge.with("index", i);
      }
      for (FieldProblem e : p.unusable()) {
        unusable.add(e.atIndex(i));
      }
      if (!c.ok() || !p.unusable().isEmpty()) {
        for (FieldProblem e : c.errors()) {
          errors.add(e.atIndex(i));
        }
        for (FieldProblem e : c.refused()) {
          refused.add(e.atIndex(i));
        }
        for (FieldProblem e : c.refusedFiles()) {
          refusedFiles.add(e.atIndex(i));
        }
        continue;
      }
      valid.add(c);
      validIndex.add(i);
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    if (!refused.isEmpty()) {
      throw senderRefused(refused);
    }
    if (!refusedFiles.isEmpty()) {
      throw attachmentRefused(refusedFiles);
    }
    if (!unusable.isEmpty()) {
      throw TemplateProblems.unusable(unusable);
    }
    // One look-up of the suppression list for the whole batch.
    Set<String> suppressed =
        suppressions.suppressed(
            clientId, valid.stream().flatMap(c -> c.content().allRecipients().stream()).toList());
    for (int k = 0; k < valid.size(); k++) {
      MessageValidator.Checked c = valid.get(k);
      NewMessage m =
          newMessage(
              caller,
              c,
              now,
              priority(batch.messages().get(validIndex.get(k)), Priority.BULK),
              suppressed);
      rows.add(m);
      answers.add(
          new AcceptedMessage(
              validIndex.get(k),
              m.id(),
              m.initialStatus(),
              now,
              suppressedFields(c.content(), suppressed)));
    }
    String body = json.writeValueAsString(new BatchAccepted(answers));
    return store(
        clientId,
        idempotencyKey,
        () ->
            fingerprint("batch", batch.messages().stream().map(MessageService::canonical).toList()),
        body,
        rows,
        now);
  }

  /**
   * What {@code caller} may use as {@code from}/{@code replyTo}: anything for an ADMIN key, else
   * its client's sender domains — read only when some message names a sender.
   */
  private AllowedSenders senders(Caller caller, List<SendRequest> requests) {
    if (caller.isAdmin()) {
      return AllowedSenders.ANY;
    }
    boolean namesSender =
        requests.stream().anyMatch(r -> r != null && (r.from() != null || r.replyTo() != null));
    return namesSender ? senderDomains.forClient(caller.clientId()) : AllowedSenders.NONE;
  }

  /** 422: well-formed, but a sender this client may not use. */
  private static ApiProblem senderRefused(List<FieldProblem> refused) {
    String detail =
        refused.size() == 1
            ? refused.get(0).field() + ": " + refused.get(0).message()
            : refused.size() + " senders are not allowed for this client";
    return new ApiProblem(
            HttpStatus.UNPROCESSABLE_CONTENT, "sender-not-allowed", "Sender not allowed", detail)
        .with("errors", refused);
  }

  /** 422: well-formed, but an attachment of a type that is not accepted. */
  private static ApiProblem attachmentRefused(List<FieldProblem> refused) {
    String detail =
        refused.size() == 1
            ? refused.get(0).field() + ": " + refused.get(0).message()
            : refused.size() + " attachments are of types that are not accepted";
    return new ApiProblem(
            HttpStatus.UNPROCESSABLE_CONTENT,
            "attachment-refused",
            "Attachment type not accepted",
            detail)
        .with("errors", refused);
  }

  /**
   * A request with its template (if it names one) rendered into subject, text and html: what the
   * validator checks and what is stored. {@code errors} are the template's own problems (400),
   * {@code unusable} a template this client cannot use (422).
   */
  private record Prepared(
      SendRequest request,
      MailContent.TemplateUsed used,
      List<FieldProblem> errors,
      List<FieldProblem> unusable) {

    /**
     * Validates the prepared request. A problem found in what the template rendered is reported
     * against {@code template}, not against a field the client did not send.
     */
    MessageValidator.Checked check(
        MessageValidator validator, Instant now, AllowedSenders senders) {
      MessageValidator.Checked c = validator.check(request, now, senders);
      if (request == null || request.template() == null) {
        return c;
      }
      List<FieldProblem> all = new ArrayList<>(errors);
      for (FieldProblem e : c.errors()) {
        all.add(
            switch (e.field()) {
              case "subject", "text", "html" ->
                  FieldProblem.of("template", "the rendered " + e.field() + ": " + e.message());
              default -> e;
            });
      }
      MailContent content =
          c.content() == null || used == null ? c.content() : c.content().withTemplate(used);
      return new MessageValidator.Checked(
          all.isEmpty() && unusable.isEmpty() ? content : null,
          c.sendAt(),
          all,
          c.refused(),
          c.refusedFiles(),
          c.tags());
    }
  }

  /**
   * Renders the template a request names (once per name and version in a request: {@code resolved}
   * remembers the look-ups). The rendered request keeps its template reference, so that {@link
   * Prepared#check} knows to re-word problems.
   *
   * @throws ApiProblem 413 when the template renders to more than the message size limit
   */
  private Prepared prepare(
      String clientId, SendRequest r, Map<String, Optional<TemplateVersion>> resolved) {
    if (r == null || r.template() == null) {
      return new Prepared(r, null, List.of(), List.of());
    }
    SendRequest.TemplateRef t = r.template();
    List<FieldProblem> errors = new ArrayList<>();
    if (r.subject() != null || r.text() != null || r.html() != null) {
      errors.add(
          FieldProblem.of("template", "give a template or subject, text and html, not both"));
    }
    if (!Templates.validName(t.name())) {
      errors.add(FieldProblem.of("template.name", "a template name is required"));
    }
    if (t.version() != null && t.version() < 1) {
      errors.add(FieldProblem.of("template.version", "must be 1 or more"));
    }
    // Until it is rendered, an empty text stands in, so the other fields are still checked.
    if (!errors.isEmpty()) {
      return new Prepared(withBodies(r, null, "", null), null, errors, List.of());
    }
    Optional<TemplateVersion> version =
        resolved.computeIfAbsent(
            t.name() + "/" + t.version(), k -> templates.resolve(clientId, t.name(), t.version()));
    if (version.isEmpty()) {
      return new Prepared(
          withBodies(r, null, "", null),
          null,
          List.of(),
          List.of(TemplateProblems.unknown(t.name(), t.version(), "template.")));
    }
    if (version.get().retired()) {
      return new Prepared(
          withBodies(r, null, "", null),
          null,
          List.of(),
          List.of(TemplateProblems.retiredField(version.get(), "template.")));
    }
    Templates.Result result = templates.render(clientId, version.get(), t.variables(), "template.");
    if (!result.errors().isEmpty()) {
      return new Prepared(withBodies(r, null, "", null), null, result.errors(), List.of());
    }
    Rendered x = result.rendered();
    return new Prepared(
        withBodies(r, x.subject(), x.text(), x.html()),
        new MailContent.TemplateUsed(x.name(), x.version()),
        List.of(),
        List.of());
  }

  private static SendRequest withBodies(SendRequest r, String subject, String text, String html) {
    return new SendRequest(
        r.from(),
        r.to(),
        r.cc(),
        r.bcc(),
        r.replyTo(),
        subject,
        text,
        html,
        r.headers(),
        r.sendAt(),
        r.metadata(),
        r.template(),
        r.attachments(),
        r.tags(),
        r.priority());
  }

  /** The message, if it exists and belongs to {@code clientId} (any client when null). */
  public Optional<MessageView> find(String clientId, UUID id) {
    return messages.find(clientId, id);
  }

  private IntakeResult store(
      String clientId,
      String key,
      Supplier<String> fingerprint,
      String body,
      List<NewMessage> rows,
      Instant now) {
    int accepted = HttpStatus.ACCEPTED.value();
    String fp = key == null ? null : fingerprint.get();
    IntakeResult result =
        rows.size() == 1 && dialect.writesInOneStatement() && !rows.get(0).allSuppressed()
            ? storeOne(clientId, key, fp, body, rows.get(0), now)
            : tx.execute(
                s -> {
                  if (key != null
                      && !idempotency.claim(
                          clientId, key, fp, accepted, body, now, now.plus(keyTtl))) {
                    return constraints.onKeyConflict(idempotency.find(clientId, key), fp);
                  }
                  ledger.enqueue(rows);
                  return new IntakeResult(accepted, body, false, null);
                });
    publishIfNew(result, rows);
    return result;
  }

  /**
   * The single-message path on PostgreSQL: through {@link GroupCommit}, or (when it is off) one
   * autocommitted statement, one round trip (see the repository).
   */
  private IntakeResult storeOne(
      String clientId, String key, String fp, String body, NewMessage row, Instant now) {
    int accepted = HttpStatus.ACCEPTED.value();
    KeyClaim claim = key == null ? null : new KeyClaim(key, fp, accepted, body, now.plus(keyTtl));
    if (groupCommit.store(row, claim)) {
      return new IntakeResult(accepted, body, false, null);
    }
    return constraints.onKeyConflict(idempotency.find(clientId, key), fp);
  }

  private void publishIfNew(IntakeResult result, List<NewMessage> rows) {
    if (!result.replay()) {
      List<NewMessage> queued = rows.stream().filter(r -> !r.allSuppressed()).toList();
      if (queued.isEmpty()) {
        return;
      }
      boolean immediate = queued.stream().anyMatch(r -> r.sendAt() == null);
      events.publishEvent(
          new MessagesQueued(queued.size(), immediate, MessagesQueued.Cause.INTAKE));
    }
  }

  /**
   * A message to store; {@code suppressed} holds the addresses (as the request wrote them) on the
   * client's suppression list. When all its recipients are among them it is stored SUPPRESSED.
   */
  private NewMessage newMessage(
      Caller caller,
      MessageValidator.Checked c,
      Instant now,
      Priority priority,
      Set<String> suppressed) {
    UUID id = Uuid7.next();
    List<String> recipients = c.content().allRecipients();
    Set<String> hit = new java.util.HashSet<>();
    boolean all = !recipients.isEmpty();
    for (String r : recipients) {
      if (suppressed.contains(r)) {
        hit.add(index.address(r));
      } else {
        all = false;
      }
    }
    return new NewMessage(
        id,
        caller.clientId(),
        cipher.seal(id, json.writeValueAsBytes(c.content())),
        recipients.size(),
        index.digests(recipients),
        c.sendAt(),
        now,
        c.tags(),
        priority,
        deliveryRules.ruleFor(recipients),
        caller.mode(),
        hit.size(),
        all && !hit.isEmpty(),
        metadata(c.content().metadata()));
  }

  /** The client's metadata as stored with the message: a JSON object in key order, or null. */
  private String metadata(Map<String, String> metadata) {
    return metadata == null || metadata.isEmpty()
        ? null
        : json.writeValueAsString(new TreeMap<>(metadata));
  }

  /** The request's priority (validated already), or the endpoint's default. */
  private static Priority priority(SendRequest r, Priority endpointDefault) {
    return r.priority() == null ? endpointDefault : Priority.parse(r.priority());
  }

  /** {@code to[1]}, {@code cc[0]}…: the suppressed recipients by field; null when none is. */
  private static List<String> suppressedFields(MailContent content, Set<String> suppressed) {
    if (suppressed.isEmpty()) {
      return null;
    }
    List<String> fields = new ArrayList<>();
    addFields("to", content.to(), suppressed, fields);
    addFields("cc", content.cc(), suppressed, fields);
    addFields("bcc", content.bcc(), suppressed, fields);
    return fields.isEmpty() ? null : fields;
  }

  private static void addFields(
      String name, List<String> addresses, Set<String> suppressed, List<String> out) {
    if (addresses == null) {
      return;
    }
    for (int i = 0; i < addresses.size(); i++) {
      if (suppressed.contains(addresses.get(i))) {
        out.add(name + "[" + i + "]");
      }
    }
  }

  private Instant now() {
    // PostgreSQL keeps microseconds: answer with exactly what is stored.
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * The request with map keys sorted (template variables at every depth), so field order in the
   * JSON does not change the print; attachments are represented by a SHA-256 of their content.
   */
  private static SendRequest canonical(SendRequest r) {
    if (r == null) {
      return null;
    }
    SendRequest.TemplateRef t = r.template();
    return new SendRequest(
        r.from(),
        r.to(),
        r.cc(),
        r.bcc(),
        r.replyTo(),
        r.subject(),
        r.text(),
        r.html(),
        sorted(r.headers()),
        r.sendAt(),
        sorted(r.metadata()),
        t == null
            ? null
            : new SendRequest.TemplateRef(t.name(), t.version(), sortedDeep(t.variables())),
        r.attachments() == null
            ? null
            : r.attachments().stream()
                .map(
                    a ->
                        a == null
                            ? null
                            : new SendRequest.AttachmentRequest(
                                a.filename(),
                                a.contentType(),
                                a.content() == null ? null : sha256(a.content()),
                                a.contentId(),
                                a.disposition()))
                .toList(),
        sorted(r.tags()),
        r.priority());
  }

  private static Map<String, String> sorted(Map<String, String> m) {
    return m == null ? null : new TreeMap<>(m);
  }

  @SuppressWarnings("unchecked")
  private static <T> T sortedDeep(T value) {
    if (value instanceof Map<?, ?> m) {
      TreeMap<String, Object> out = new TreeMap<>();
      m.forEach((k, v) -> out.put(String.valueOf(k), sortedDeep(v)));
      return (T) out;
    }
    if (value instanceof List<?> l) {
      return (T) l.stream().map(MessageService::sortedDeep).toList();
    }
    return value;
  }

  private static byte[] sha256(byte[] bytes) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(bytes);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private String fingerprint(String kind, Object canonical) {
    String text = kind + ":" + json.writeValueAsString(canonical);
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
