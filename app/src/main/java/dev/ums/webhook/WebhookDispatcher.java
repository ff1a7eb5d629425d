package dev.ums.webhook;

import dev.ums.ledger.Ledger;
import dev.ums.ledger.MessageEvent;
import dev.ums.security.ContentCipher;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * Relays delivery events to webhook endpoints, on its own worker pool ({@code webhookWorkers}),
 * never on the SMTP dispatcher's.
 *
 * <p>Each turn it first fans new events out ({@link Ledger#relayEvents}: one delivery row per
 * interested endpoint, written in the transaction that takes the events from the event outbox),
 * then hands every endpoint with due deliveries to a worker. An endpoint is held by one worker of
 * one instance at a time (a lease on its row), which sends its deliveries oldest first and stops at
 * the first failure: the endpoint then waits out the retry schedule of that delivery before
 * anything else is sent to it, so a receiver that was down gets everything afterwards, in order. A
 * slow or dead endpoint holds at most one worker for at most the read timeout per turn, and other
 * endpoints keep their own turns.
 *
 * <p>Failure modes: a crash mid-delivery leaves the delivery PENDING and the lease to expire, so it
 * is sent again (at least once; receivers de-duplicate on {@code webhook-id}). An endpoint failing
 * without a success for {@code ums.webhooks.disable-after} is disabled, logged as {@code
 * event=webhook_endpoint_disabled}, counted in {@code ums.webhook.endpoints.disabled} and notified
 * to the admin alerts (a {@link WebhookEndpointDisabled} event, with the endpoint and client ids).
 * Before each turn of an endpoint its host is resolved and checked ({@link WebhookAddresses}): a
 * host on a private address fails the delivery without a request.
 */
@Component
public class WebhookDispatcher implements SchedulingConfigurer {

  private static final Logger log = LoggerFactory.getLogger(WebhookDispatcher.class);

  private final Ledger ledger;
  private final WebhookStore store;
  private final WebhookProperties props;
  private final ContentCipher cipher;
  private final JsonMapper json;
  private final Clock clock;
  private final ExecutorService workers;
  private final HttpClient http;
  private final String instance = "webhooks-" + UUID.randomUUID();
  private final Set<UUID> inFlight = ConcurrentHashMap.newKeySet();
  private final Object turnGuard = new Object();
  private volatile boolean paused;
  private final Counter delivered;
  private final Counter failed;
  private final Counter disabled;
  private final WebhookAddresses addresses;
  private final ApplicationEventPublisher events;

  WebhookDispatcher(
      Ledger ledger,
      WebhookStore store,
      WebhookProperties props,
      ContentCipher cipher,
      JsonMapper json,
      Clock clock,
      @Qualifier("webhookWorkers") ExecutorService workers,
      MeterRegistry meters,
      WebhookAddresses addresses,
      ApplicationEventPublisher events) {
    this.addresses = addresses;
    this.events = events;
    this.ledger = ledger;
    this.store = store;
    this.props = props;
    this.cipher = cipher;
    this.json = json;
    this.clock = clock;
    this.workers = workers;
    // Completions run on the client's own selector thread instead of a pool: a delivery is one
    // blocking send with a discarding body handler, so nothing slow runs there, and each request
    // costs one thread hand-off less (about twice the sequential requests/s of one endpoint on a
    // busy machine).
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(props.connectTimeout())
            .executor(Runnable::run)
            .build();
    this.delivered = meters.counter("ums.webhook.delivered");
    this.failed = meters.counter("ums.webhook.failed");
    this.disabled = meters.counter("ums.webhook.endpoints.disabled");
  }

  @Override
  public void configureTasks(ScheduledTaskRegistrar registrar) {
    registrar.addFixedDelayTask(this::turn, props.pollInterval());
  }

  /** One turn: relay new events, then start a worker for every due endpoint not yet in hand. */
  void turn() {
    synchronized (turnGuard) {
      if (paused) {
        return;
      }
      try {
        relay();
        if (props.enabled()) {
          deliver();
        }
      } catch (RuntimeException e) {
        log.warn("event=webhook_turn_failed error={}", e.getClass().getSimpleName());
      }
    }
  }

  /**
   * Starts no further turn and waits for the running one and (up to {@code timeout}) for the
   * deliveries in flight to end. Until {@link #resume}, nothing is relayed or delivered.
   */
  public void pause(Duration timeout) throws InterruptedException {
    paused = true;
    synchronized (turnGuard) {
      // the running turn, if any, has ended
    }
    long until = System.nanoTime() + timeout.toNanos();
    synchronized (inFlight) {
      for (long left = timeout.toNanos(); !inFlight.isEmpty() && left > 0; ) {
        TimeUnit.NANOSECONDS.timedWait(inFlight, left);
        left = until - System.nanoTime();
      }
    }
  }

  public void resume() {
    paused = false;
  }

  /** Fans out every waiting event; returns how many were relayed. */
  int relay() {
    int total = 0;
    int n;
    do {
      n =
          ledger.relayEvents(
              props.batchSize(),
              events -> store.fanOut(events, store.subscriptions(), clock.instant()));
      total += n;
    } while (n == props.batchSize());
    return total;
  }

  private void deliver() {
    Instant now = clock.instant();
    for (UUID id : store.due(now, 1000)) {
      if (!inFlight.add(id)) {
        continue;
      }
      if (!store.claim(id, instance, now, now.plus(props.lease()))) {
        finished(id);
        continue;
      }
      try {
        workers.execute(() -> drainAndRelease(id));
      } catch (RejectedExecutionException stopping) {
        store.release(id, instance);
        finished(id);
      }
    }
  }

  private void drainAndRelease(UUID id) {
    try {
      drain(id);
    } catch (RuntimeException e) {
      log.warn(
          "event=webhook_drain_failed endpoint_id={} error={}", id, e.getClass().getSimpleName());
    } finally {
      try {
        store.release(id, instance);
      } finally {
        finished(id);
      }
    }
  }

  /** {@code id} is no longer being delivered; wakes a {@link #pause} waiting for that. */
  private void finished(UUID id) {
    inFlight.remove(id);
    if (paused) {
      synchronized (inFlight) {
        inFlight.notifyAll();
      }
    }
  }

  /** Sends the endpoint's deliveries in order until none is left, one fails, or half the lease. */
  private void drain(UUID id) {
    WebhookStore.Target target = store.target(id).orElse(null);
    if (target == null || !target.view().enabled()) {
      return;
    }
    byte[] key = cipher.open(id, target.sealedSecret());
    URI url = URI.create(target.view().url());
    String refused = addresses.refusedAtDelivery(url.getHost());
    if (refused != null) {
      List<WebhookStore.Pending> first = store.pending(id, 1);
      if (!first.isEmpty()) {
        log.warn("event=webhook_address_refused endpoint_id={} reason=\"{}\"", id, refused);
        failed.increment();
        onFailure(
            target, first.get(0), new Result(false, null, "refused: " + refused), clock.instant());
      }
      return;
    }
    long stopAt = System.nanoTime() + props.lease().toNanos() / 2;
    boolean answered = false;
    try {
      while (System.nanoTime() < stopAt) {
        List<WebhookStore.Pending> batch = store.pending(id, props.batchSize());
        if (batch.isEmpty()) {
          return;
        }
        Map<UUID, MessageEvent> events =
            ledger.events(batch.stream().map(WebhookStore.Pending::eventId).toList()).stream()
                .collect(Collectors.toMap(MessageEvent::id, Function.identity()));
        List<WebhookStore.Delivered> done = new ArrayList<>(batch.size());
        try {
          for (WebhookStore.Pending p : batch) {
            MessageEvent e = events.get(p.eventId());
            if (e == null) {
              continue; // deleted by retention, with this delivery
            }
            Result r = post(url, e, key);
            Instant now = clock.instant();
            if (r.ok()) {
              done.add(new WebhookStore.Delivered(p.id(), r.status(), now));
              delivered.increment();
              answered = true;
              continue;
            }
            failed.increment();
            onFailure(target, p, r, now);
            return;
          }
        } finally {
          // One write (and commit) per batch, not per delivery; a crash before it sends the
          // batch's deliveries again, which receivers de-duplicate on webhook-id.
          store.delivered(done);
        }
      }
    } finally {
      if (answered) {
        store.healthy(id);
      }
    }
  }

  private void onFailure(
      WebhookStore.Target target, WebhookStore.Pending p, Result r, Instant now) {
    UUID id = target.view().id();
    List<Duration> schedule = props.retrySchedule();
    int attempts = p.attempts() + 1;
    boolean giveUp = attempts > schedule.size();
    store.attemptFailed(p.id(), r.status(), r.error(), giveUp, now);
    Duration wait = schedule.get(giveUp ? 0 : attempts - 1);
    Instant since = store.failing(id, now.plus(wait), now);
    log.info(
        "event=webhook_failed endpoint_id={} event_id={} attempt={} status={} error={} given_up={}",
        id,
        p.eventId(),
        attempts,
        r.status(),
        r.error(),
        giveUp);
    if (!since.plus(props.disableAfter()).isAfter(now)) {
      store.disable(id, "failing since " + since, now);
      disabled.increment();
      log.warn("event=webhook_endpoint_disabled endpoint_id={} failing_since={}", id, since);
      events.publishEvent(
          new WebhookEndpointDisabled(id, target.clientId(), since, now, props.disableAfter()));
    }
  }

  private record Result(boolean ok, Integer status, String error) {}

  private Result post(URI url, MessageEvent e, byte[] key) {
    byte[] body = json.writeValueAsBytes(WebhookPayload.of(e));
    String id = e.id().toString();
    long timestamp = clock.instant().getEpochSecond();
    HttpRequest request =
        HttpRequest.newBuilder(url)
            .timeout(props.readTimeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "UMS-Webhooks")
            .header("webhook-id", id)
            .header("webhook-timestamp", Long.toString(timestamp))
            .header("webhook-signature", WebhookSigner.sign(key, id, timestamp, body))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build();
    try {
      int status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
      return new Result(
          status >= 200 && status < 300, status, status >= 300 ? "http " + status : null);
    } catch (HttpTimeoutException t) {
      return new Result(false, null, "timeout");
    } catch (IOException io) {
      return new Result(false, null, "connection: " + io.getClass().getSimpleName());
    } catch (InterruptedException stop) {
      Thread.currentThread().interrupt();
      return new Result(false, null, "interrupted");
    }
  }
}
