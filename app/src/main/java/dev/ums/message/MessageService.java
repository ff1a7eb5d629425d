package dev.ums.message;

import dev.ums.delivery.DeliveryRules;
import dev.ums.ledger.KeyClaim;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.MessageStatus;
import dev.ums.ledger.NewMessage;
import dev.ums.ledger.Priority;
import dev.ums.security.Caller;
import dev.ums.security.ContentCipher;
import dev.ums.security.RecipientIndex;
import dev.ums.sender.AllowedSenders;
import dev.ums.sender.SenderDomains;
import dev.ums.support.Dialect;
import dev.ums.support.Uuid7;
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
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
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
  private final DeliveryRules deliveryRules;

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
      DeliveryRules deliveryRules) {
    this.deliveryRules = deliveryRules;
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
    MessageValidator.Checked c =
        validator.check(request, now, senders(caller, Collections.singletonList(request)));
    if (!c.errors().isEmpty()) {
      throw ApiProblem.validation(c.errors());
    }
    if (!c.refused().isEmpty()) {
      throw senderRefused(c.refused());
    }
    NewMessage m = newMessage(clientId, c, now, priority(request, Priority.NORMAL));
    String body =
        json.writeValueAsString(new AcceptedMessage(null, m.id(), MessageStatus.QUEUED, now));
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
    List<NewMessage> rows = new ArrayList<>(batch.messages().size());
    List<AcceptedMessage> answers = new ArrayList<>(batch.messages().size());
    for (int i = 0; i < batch.messages().size(); i++) {
      MessageValidator.Checked c;
      try {
        c = validator.check(batch.messages().get(i), now, senders);
      } catch (ApiProblem tooLarge) {
        throw tooLarge.with("index", i);
      }
      if (!c.ok()) {
        for (FieldProblem e : c.errors()) {
          errors.add(e.atIndex(i));
        }
        for (FieldProblem e : c.refused()) {
          refused.add(e.atIndex(i));
        }
        continue;
      }
      NewMessage m = newMessage(clientId, c, now, priority(batch.messages().get(i), Priority.BULK));
      rows.add(m);
      answers.add(new AcceptedMessage(i, m.id(), MessageStatus.QUEUED, now));
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    if (!refused.isEmpty()) {
      throw senderRefused(refused);
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
        rows.size() == 1 && dialect.writesInOneStatement()
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
      boolean immediate = rows.stream().anyMatch(r -> r.sendAt() == null);
      events.publishEvent(new MessagesQueued(rows.size(), immediate, MessagesQueued.Cause.INTAKE));
    }
  }

  private NewMessage newMessage(
      String clientId, MessageValidator.Checked c, Instant now, Priority priority) {
    UUID id = Uuid7.next();
    List<String> recipients = c.content().allRecipients();
    return new NewMessage(
        id,
        clientId,
        cipher.seal(id, json.writeValueAsBytes(c.content())),
        recipients.size(),
        index.digests(recipients),
        c.sendAt(),
        now,
        priority,
        deliveryRules.ruleFor(recipients));
  }

  /** The request's priority (validated already), or the endpoint's default. */
  private static Priority priority(SendRequest r, Priority endpointDefault) {
    return r.priority() == null ? endpointDefault : Priority.parse(r.priority());
  }

  private Instant now() {
    // PostgreSQL keeps microseconds: answer with exactly what is stored.
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** The request with map keys sorted, so field order in the JSON does not change the print. */
  private static SendRequest canonical(SendRequest r) {
    if (r == null) {
      return null;
    }
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
        r.priority());
  }

  private static Map<String, String> sorted(Map<String, String> m) {
    return m == null ? null : new TreeMap<>(m);
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
