package dev.ums.webhook;

import dev.ums.ledger.EventType;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.MessageEvent;
import dev.ums.security.ContentCipher;
import dev.ums.support.Mode;
import dev.ums.support.Uuid7;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Webhook endpoints of one client: create (the signing secret is returned once and stored sealed),
 * list, delete, re-enable, the delivery log and replays. Every call is scoped by client: another
 * client's endpoint is not found.
 */
@Service
public class WebhookService {

  private static final int MAX_URL = 2048;
  private static final int MAX_ENDPOINTS = 20;

  private final WebhookStore store;
  private final Ledger ledger;
  private final ContentCipher cipher;
  private final WebhookProperties props;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Mode mode;
  private final WebhookAddresses addresses;

  WebhookService(
      WebhookStore store,
      Ledger ledger,
      ContentCipher cipher,
      WebhookProperties props,
      TransactionTemplate tx,
      Clock clock,
      Mode mode,
      WebhookAddresses addresses) {
    this.addresses = addresses;
    this.store = store;
    this.ledger = ledger;
    this.cipher = cipher;
    this.props = props;
    this.tx = tx;
    this.clock = clock;
    this.mode = mode;
  }

  /** Creates an endpoint; the answer carries its secret, which is never shown again. */
  public WebhookEndpoint create(String clientId, WebhookRequest request) {
    List<FieldProblem> errors = new ArrayList<>();
    String url = url(request == null ? null : request.url(), errors);
    List<String> types = types(request == null ? null : request.eventTypes(), errors);
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    if (store.list(clientId).size() >= MAX_ENDPOINTS) {
      throw new ApiProblem(
          HttpStatus.CONFLICT,
          "too-many-webhooks",
          "Too many webhook endpoints",
          "a client may have at most " + MAX_ENDPOINTS + " webhook endpoints");
    }
    UUID id = Uuid7.next();
    byte[] secret = WebhookSigner.newSecret();
    store.create(id, clientId, url, types, cipher.seal(id, secret), clock.instant());
    return get(clientId, id).withSecret(WebhookSigner.display(secret));
  }

  public List<WebhookEndpoint> list(String clientId) {
    return store.list(clientId);
  }

  public WebhookEndpoint get(String clientId, UUID id) {
    return store.find(clientId, id).orElseThrow(() -> ApiProblem.notFound("webhook endpoint"));
  }

  public void delete(String clientId, UUID id) {
    if (!store.delete(clientId, id)) {
      throw ApiProblem.notFound("webhook endpoint");
    }
  }

  /** Puts a disabled endpoint back in service; what is still PENDING is sent again. */
  public WebhookEndpoint enable(String clientId, UUID id) {
    if (!store.enable(clientId, id, clock.instant())) {
      throw ApiProblem.notFound("webhook endpoint");
    }
    return get(clientId, id);
  }

  public List<WebhookDelivery> deliveries(String clientId, UUID id, int limit) {
    get(clientId, id);
    return store.deliveries(id, Math.max(1, Math.min(limit, 1000)));
  }

  /** The deliveries of one message's events (for its timeline). */
  public List<WebhookDelivery> deliveriesOfMessage(UUID messageId) {
    return store.deliveriesOfMessage(messageId);
  }

  /**
   * Queues the event {@code eventId}, or every event of the client in [from, to), again for this
   * endpoint (after whatever it still has pending). Returns how many were queued.
   */
  public int replay(String clientId, UUID id, ReplayRequest r) {
    get(clientId, id);
    List<MessageEvent> events;
    if (r != null && r.eventId() != null && r.from() == null && r.to() == null) {
      events =
          ledger.events(List.of(r.eventId())).stream()
              .filter(e -> e.clientId().equals(clientId))
              .toList();
      if (events.isEmpty()) {
        throw ApiProblem.notFound("event");
      }
    } else if (r != null && r.eventId() == null && r.from() != null && r.to() != null) {
      if (!r.from().isBefore(r.to())) {
        throw ApiProblem.validation(List.of(FieldProblem.of("to", "must be after from")));
      }
      events = ledger.events(clientId, r.from(), r.to(), props.maxReplay() + 1);
      if (events.size() > props.maxReplay()) {
        throw ApiProblem.validation(
            List.of(
                FieldProblem.of(
                    "from",
                    "more than "
                        + props.maxReplay()
                        + " events in the range; replay a shorter one")));
      }
    } else {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("eventId", "give either eventId, or from and to")));
    }
    List<UUID> ids = events.stream().map(MessageEvent::id).toList();
    Integer n = tx.execute(s -> store.replay(id, ids, clock.instant()));
    return n == null ? 0 : n;
  }

  /**
   * Retention of the delivery log: deletes up to {@code limit} of the oldest finished deliveries
   * created before {@code cutoff} (PENDING ones are kept until sent or given up). Returns how many
   * went.
   */
  public int purgeDeliveryLog(Instant cutoff, int limit) {
    return store.purge(cutoff, limit);
  }

  private String url(String url, List<FieldProblem> errors) {
    if (url == null || url.isBlank()) {
      errors.add(FieldProblem.of("url", "is required"));
      return null;
    }
    if (url.length() > MAX_URL) {
      errors.add(FieldProblem.of("url", "at most " + MAX_URL + " characters"));
      return null;
    }
    try {
      URI uri = new URI(url);
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      boolean allowed = scheme.equals("https") || (scheme.equals("http") && mode.development());
      if (!allowed) {
        errors.add(
            FieldProblem.of(
                "url",
                mode.development() ? "must be an http or https URL" : "must be an https URL"));
      } else if (uri.getHost() == null || uri.getUserInfo() != null || uri.getFragment() != null) {
        errors.add(FieldProblem.of("url", "must name a host, without user info or fragment"));
      } else {
        String refused = addresses.refusedAtRegistration(uri.getHost());
        if (refused != null) {
          errors.add(FieldProblem.of("url", refused));
        }
      }
    } catch (URISyntaxException e) {
      errors.add(FieldProblem.of("url", "not a valid URL"));
    }
    return url;
  }

  private static List<String> types(List<String> types, List<FieldProblem> errors) {
    if (types == null) {
      return List.of();
    }
    LinkedHashSet<String> out = new LinkedHashSet<>();
    for (int i = 0; i < types.size(); i++) {
      String t = types.get(i);
      if (t == null || EventType.ofWireName(t) == null) {
        errors.add(FieldProblem.of("eventTypes[" + i + "]", "not a known event type"));
      } else {
        out.add(t);
      }
    }
    return List.copyOf(out);
  }

  /** How long deliveries are retried in all, for the docs and the API description. */
  Duration retryWindow() {
    return props.retrySchedule().stream().reduce(Duration.ZERO, Duration::plus);
  }
}
