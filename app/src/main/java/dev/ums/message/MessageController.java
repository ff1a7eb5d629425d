package dev.ums.message;

import dev.ums.ledger.Ledger;
import dev.ums.ratelimit.RateLimiter;
import dev.ums.security.Caller;
import dev.ums.web.ApiProblem;
import dev.ums.webhook.WebhookDelivery;
import dev.ums.webhook.WebhookService;
import java.net.URI;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/** The intake API: send one, send a batch, read a message's status and its timeline. */
@RestController
@RequestMapping("/api/messages")
class MessageController {

  static final String IDEMPOTENCY_KEY = "Idempotency-Key";
  static final String MESSAGE_ID_ALIAS = "X-Message-Id";
  static final String REPLAY = "Idempotency-Replay";

  private final MessageService service;
  private final RateLimiter rateLimiter;
  private final MessageLookup lookup;
  private final Ledger ledger;
  private final WebhookService webhooks;

  MessageController(
      MessageService service,
      RateLimiter rateLimiter,
      MessageLookup lookup,
      Ledger ledger,
      WebhookService webhooks) {
    this.service = service;
    this.rateLimiter = rateLimiter;
    this.lookup = lookup;
    this.ledger = ledger;
    this.webhooks = webhooks;
  }

  @PostMapping(
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> send(
      @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(value = MESSAGE_ID_ALIAS, required = false) String alias,
      @RequestBody SendRequest request) {
    Caller caller = Caller.current();
    String k = idempotencyKey(key, alias);
    rateLimiter.checkMessages(caller.clientId(), 1); // the request: IntakeRateLimit, before parsing
    IntakeResult r = service.accept(caller, k, request);
    return answer(r).location(URI.create("/api/messages/" + r.id())).body(r.body());
  }

  @PostMapping(
      path = "/batch",
      consumes = MediaType.APPLICATION_JSON_VALUE,
      produces = MediaType.APPLICATION_JSON_VALUE)
  ResponseEntity<String> sendBatch(
      @RequestHeader(value = IDEMPOTENCY_KEY, required = false) String key,
      @RequestHeader(value = MESSAGE_ID_ALIAS, required = false) String alias,
      @RequestBody BatchRequest batch) {
    Caller caller = Caller.current();
    String k = idempotencyKey(key, alias);
    rateLimiter.checkMessages(
        caller.clientId(), batch == null || batch.messages() == null ? 1 : batch.messages().size());
    IntakeResult r = service.acceptBatch(caller, k, batch);
    return answer(r).body(r.body());
  }

  @GetMapping(path = "/{id}", produces = MediaType.APPLICATION_JSON_VALUE)
  MessageView get(@PathVariable UUID id) {
    // Another client's message is "not found", not "forbidden": ids are not confirmed to exist.
    Caller caller = Caller.current();
    return service
        .find(caller.isAdmin() ? null : caller.clientId(), id)
        .orElseThrow(() -> ApiProblem.notFound("Message"));
  }

  /**
   * The content of a test-mode message that was captured instead of relayed, for the client that
   * sent it (admins included: another client's message is not found here; they have the audited
   * admin content read).
   */
  @GetMapping(path = "/{id}/captured", produces = MediaType.APPLICATION_JSON_VALUE)
  MailContent captured(@PathVariable UUID id) {
    return lookup.captured(id, Caller.current().clientId());
  }

  /**
   * The message's timeline: every event the ledger wrote for it, oldest first, each with the
   * webhook deliveries made of it. Owner-scoped like {@link #get}.
   */
  @GetMapping(path = "/{id}/events", produces = MediaType.APPLICATION_JSON_VALUE)
  Map<String, Object> events(@PathVariable UUID id) {
    Caller caller = Caller.current();
    service
        .find(caller.isAdmin() ? null : caller.clientId(), id)
        .orElseThrow(() -> ApiProblem.notFound("Message"));
    Map<UUID, List<WebhookDelivery>> deliveries =
        webhooks.deliveriesOfMessage(id).stream()
            .sorted(Comparator.comparingLong(WebhookDelivery::id))
            .collect(Collectors.groupingBy(WebhookDelivery::eventId));
    List<TimelineEvent> events =
        ledger.events(id).stream()
            .map(e -> TimelineEvent.of(e, deliveries.getOrDefault(e.id(), List.of())))
            .toList();
    return Map.of("messageId", id, "events", events);
  }

  private static ResponseEntity.BodyBuilder answer(IntakeResult r) {
    ResponseEntity.BodyBuilder b =
        ResponseEntity.status(r.status()).contentType(MediaType.APPLICATION_JSON);
    if (r.replay()) {
      b.header(REPLAY, "true");
    }
    return b;
  }

  /** 1..255 printable ASCII characters; the two header names are aliases and must agree. */
  static String idempotencyKey(String key, String alias) {
    if (key != null && alias != null && !key.equals(alias)) {
      throw badKey(IDEMPOTENCY_KEY + " and " + MESSAGE_ID_ALIAS + " differ");
    }
    String k = key != null ? key : alias;
    if (k == null) {
      return null;
    }
    if (k.isEmpty() || k.length() > 255) {
      throw badKey("must be 1 to 255 characters");
    }
    for (int i = 0; i < k.length(); i++) {
      char ch = k.charAt(i);
      if (ch < 0x20 || ch > 0x7E) {
        throw badKey("must be printable ASCII");
      }
    }
    return k;
  }

  private static ApiProblem badKey(String why) {
    return new ApiProblem(
        HttpStatus.BAD_REQUEST, "bad-idempotency-key", "Malformed idempotency key", why);
  }
}
