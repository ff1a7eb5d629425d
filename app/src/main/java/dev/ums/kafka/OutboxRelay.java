package dev.ums.kafka;

import dev.ums.delivery.DeliveryControl;
import dev.ums.dispatch.Wakeable;
import dev.ums.ledger.Claim;
import dev.ums.ledger.ClaimScope;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.Ledger.Handoff;
import dev.ums.ledger.Outcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The Kafka relay: claims due outbox rows with the ordinary claim (SKIP LOCKED, leased for {@code
 * ums.dispatch.lease}), publishes one record per row to the hand-off topic (idempotent producer,
 * {@code acks=all}), and once the broker has acknowledged them extends their leases to {@code
 * ums.kafka.lease} in one batched statement ({@link Ledger#handOff}). Rows whose publish failed are
 * put back in the queue at once, their attempt given back.
 *
 * <p>At-least-once: if the relay dies between the broker's acknowledgement and the hand-off (or
 * before it could put failed rows back), the rows keep their claim lease, the reaper returns them
 * when it ends, and they are published again under a new claim token. The records of the old claim
 * are harmless: a sender sends only a record whose token the outbox row still holds ({@link
 * Ledger#stillClaimed}).
 *
 * <p>While the broker does not answer, the relay claims nothing (no claim churn): it probes the
 * broker at growing intervals and resumes by itself. Delivery control, when active, applies here:
 * the relay claims only what the global, per-rule and per-client budgets allow. A rule's connection
 * cap bounds only how many of its rows one publish round takes; the cap on sends in flight is held
 * by each sender, which gives back what does not fit (see {@code OutboxDispatcher}).
 */
public final class OutboxRelay implements SmartLifecycle, Wakeable {

  private static final Logger log = LoggerFactory.getLogger(OutboxRelay.class);

  private final Ledger ledger;
  private final Producer<byte[], byte[]> producer;
  private final Broker broker;
  private final KafkaProperties props;
  private final Duration claimLease;
  private final String instanceId;
  private final DeliveryControl control;
  private final Semaphore wakeUp = new Semaphore(0);
  private final Counter published;
  private final Counter errors;
  private final Timer latency;
  private volatile boolean running;
  private volatile boolean brokerDown;
  private Thread loop;

  OutboxRelay(
      Ledger ledger,
      Producer<byte[], byte[]> producer,
      Broker broker,
      KafkaProperties props,
      Duration claimLease,
      String instanceId,
      DeliveryControl control,
      MeterRegistry registry) {
    this.ledger = ledger;
    this.producer = producer;
    this.broker = broker;
    this.props = props;
    this.claimLease = claimLease;
    this.instanceId = instanceId;
    this.control = control != null && control.active() ? control : null;
    this.published =
        Counter.builder("ums.kafka.relay.published")
            .description("Outbox rows published to the hand-off topic and handed off")
            .register(registry);
    this.errors =
        Counter.builder("ums.kafka.relay.errors")
            .description("Outbox rows whose publish failed (put back in the queue)")
            .register(registry);
    this.latency =
        Timer.builder("ums.kafka.relay.publish.latency")
            .description("From a batch's claim to the broker's acknowledgement of all its records")
            .register(registry);
  }

  @Override
  public void wake() {
    if (wakeUp.availablePermits() == 0) {
      wakeUp.release();
    }
  }

  /** True while the last publish or probe found the broker unreachable. */
  boolean brokerDown() {
    return brokerDown;
  }

  @Override
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    loop = new Thread(this::run, "ums-kafka-relay");
    loop.start();
    log.info(
        "event=kafka_relay_started instance={} topic={} batch_size={}",
        instanceId,
        props.topic(),
        props.relay().batchSize());
  }

  @Override
  public synchronized void stop() {
    if (!running) {
      return;
    }
    running = false;
    wake();
    try {
      loop.join(props.requestTimeout().multipliedBy(3).toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    log.info("event=kafka_relay_stopped instance={}", instanceId);
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Stops before the producer and after the dispatcher (higher phases stop first). */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 1;
  }

  private void run() {
    long backoffMs = 500;
    while (running) {
      long waitNanos = props.relay().pollInterval().toNanos();
      boolean full = false;
      try {
        if (brokerDown || !broker.state().up()) {
          brokerDown = !broker.probe().up();
          if (brokerDown) {
            await(TimeUnit.MILLISECONDS.toNanos(backoffMs));
            backoffMs = Math.min(30_000, backoffMs * 2);
            continue;
          }
          backoffMs = 500;
        }
        int want = props.relay().batchSize();
        List<Claim> claims;
        if (control != null) {
          DeliveryControl.Round round =
              control.claim(
                  want, (scope, n) -> ledger.claimForHandOff(instanceId, n, claimLease, scope));
          claims = round.claims();
          if (round.waitNanos() > 0) {
            waitNanos = Math.min(waitNanos, round.waitNanos());
          }
        } else {
          claims = ledger.claimForHandOff(instanceId, want, claimLease, ClaimScope.ALL);
        }
        if (!claims.isEmpty()) {
          publish(claims);
        }
        full = claims.size() == want;
      } catch (RuntimeException e) {
        log.warn("event=kafka_relay_failed error={}", e.getClass().getSimpleName());
      }
      if (!full) {
        await(waitNanos);
      }
    }
  }

  private void await(long nanos) {
    try {
      wakeUp.tryAcquire(nanos, TimeUnit.NANOSECONDS);
      wakeUp.drainPermits();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      running = false;
    }
  }

  private void publish(List<Claim> claims) {
    long started = System.nanoTime();
    List<CompletableFuture<Void>> acks = new ArrayList<>(claims.size());
    for (Claim c : claims) {
      CompletableFuture<Void> ack = new CompletableFuture<>();
      acks.add(ack);
      try {
        producer.send(
            new ProducerRecord<>(
                props.topic(),
                HandoffRecord.key(c.messageId()),
                HandoffRecord.value(new Handoff(c.messageId(), c.claimToken()))),
            (meta, error) -> {
              if (error == null) {
                ack.complete(null);
              } else {
                ack.completeExceptionally(error);
              }
            });
      } catch (RuntimeException e) {
        ack.completeExceptionally(e);
      }
    }
    producer.flush();
    List<Handoff> done = new ArrayList<>(claims.size());
    List<Outcome> failed = new ArrayList<>();
    String error = null;
    for (int i = 0; i < claims.size(); i++) {
      Claim c = claims.get(i);
      try {
        acks.get(i).join();
        done.add(new Handoff(c.messageId(), c.claimToken()));
      } catch (RuntimeException e) {
        Throwable cause = e.getCause() != null ? e.getCause() : e;
        error = cause.getClass().getSimpleName();
        failed.add(new Outcome.Unsent(c.withoutContent()));
      } finally {
        if (control != null) {
          control.done(c);
        }
      }
    }
    latency.record(Duration.ofNanos(System.nanoTime() - started));
    ledger.handOff(done, props.lease());
    published.increment(done.size());
    if (!failed.isEmpty()) {
      errors.increment(failed.size());
      brokerDown = true;
      log.warn("event=kafka_publish_failed count={} error={}", failed.size(), error);
      ledger.record(failed);
    }
  }
}
