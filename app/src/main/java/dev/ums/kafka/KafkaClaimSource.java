package dev.ums.kafka;

import dev.ums.dispatch.ClaimSource;
import dev.ums.ledger.Claim;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.Ledger.Handoff;
import io.micrometer.core.instrument.Counter;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A sender's claims, from the hand-off topic: the dispatcher's {@link ClaimSource} in Kafka mode.
 * Each poll's records are checked against the outbox in one statement ({@link
 * Ledger#stillClaimed}); records whose row no longer holds their claim token (sent, failed,
 * cancelled, retried or re-published since) are skipped, never sent.
 *
 * <p>Offsets: a partition's offset is committed only up to its oldest record whose result is not
 * yet recorded, so a sender that dies leaves uncommitted exactly the records it had not finished;
 * whoever gets the partition next reads them again and skips those already recorded. What may be
 * sent twice is what the dead sender had sent but not yet recorded (its in-flight results). When
 * partitions are taken away in a rebalance, the callback waits (within {@code
 * ums.dispatch.shutdown-timeout}) until the records in flight from them are recorded and commits
 * before giving them up, so a rebalance among live senders sends nothing twice. The cooperative
 * sticky assignor moves only the partitions that must move.
 *
 * <p>Not thread-safe: the consumer is used by the dispatcher's claim loop thread only; {@link
 * #recorded} (the writer thread) only queues positions for that thread to commit.
 */
final class KafkaClaimSource implements ClaimSource {

  private static final Logger log = LoggerFactory.getLogger(KafkaClaimSource.class);

  private final Consumer<byte[], byte[]> consumer;
  private final Ledger ledger;
  private final KafkaProperties props;
  private final Duration handOverTimeout;
  private final Counter skipped;

  private final ArrayDeque<ConsumerRecord<byte[], byte[]>> pending = new ArrayDeque<>();

  /** Offsets consumed and not yet finished, per partition. */
  private final Map<TopicPartition, TreeSet<Long>> open = new HashMap<>();

  /** Next offset to commit per partition when nothing is open: last consumed + 1. */
  private final Map<TopicPartition, Long> next = new HashMap<>();

  private final Map<TopicPartition, Long> committed = new HashMap<>();

  /** Where each claim handed to the dispatcher came from (by message id). */
  private final Map<UUID, Position> inFlight = new ConcurrentHashMap<>();

  /** Positions whose results the writer has recorded, for the claim thread to close. */
  private final LinkedBlockingQueue<Position> finished = new LinkedBlockingQueue<>();

  private boolean subscribed;
  private boolean paused;

  record Position(TopicPartition partition, long offset) {}

  KafkaClaimSource(
      Consumer<byte[], byte[]> consumer,
      Ledger ledger,
      KafkaProperties props,
      Duration handOverTimeout,
      Counter skipped) {
    this.consumer = consumer;
    this.ledger = ledger;
    this.props = props;
    this.handOverTimeout = handOverTimeout;
    this.skipped = skipped;
  }

  @Override
  public List<Claim> claim(int limit) {
    subscribe();
    if (paused) {
      consumer.resume(consumer.assignment());
      paused = false;
    }
    commitFinished();
    if (pending.isEmpty()) {
      pollInto(props.sender().pollTimeout());
    }
    if (pending.isEmpty()) {
      return List.of();
    }
    List<ConsumerRecord<byte[], byte[]>> taken = new ArrayList<>();
    List<Handoff> asked = new ArrayList<>(Math.min(limit, pending.size()));
    Map<UUID, Position> positions = new HashMap<>();
    while (asked.size() < limit && !pending.isEmpty()) {
      ConsumerRecord<byte[], byte[]> r = pending.poll();
      Position p = new Position(partition(r), r.offset());
      Handoff h = HandoffRecord.parse(r.value());
      if (h == null || positions.containsKey(h.messageId())) {
        log.warn(
            "event=kafka_record_skipped reason={} partition={} offset={}",
            h == null ? "unreadable" : "repeated",
            p.partition().partition(),
            p.offset());
        skipped.increment();
        close(p);
        continue;
      }
      taken.add(r);
      asked.add(h);
      positions.put(h.messageId(), p);
    }
    List<Claim> still;
    try {
      still = ledger.stillClaimed(asked);
    } catch (RuntimeException e) {
      // The database is away: the records go back to the front of the queue, in order.
      for (int i = taken.size() - 1; i >= 0; i--) {
        pending.addFirst(taken.get(i));
      }
      throw e;
    }
    List<Claim> claims = new ArrayList<>(still.size());
    for (Claim c : still) {
      Position p = positions.remove(c.messageId());
      if (p != null && inFlight.putIfAbsent(c.messageId(), p) == null) {
        claims.add(c);
      } else if (p != null) {
        close(p); // already in flight here under the same token: sent once
      }
    }
    for (Position p : positions.values()) {
      skipped.increment();
      close(p);
    }
    return claims;
  }

  private void pollInto(Duration timeout) {
    try {
      for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
        pending.add(r);
        open.computeIfAbsent(partition(r), p -> new TreeSet<>()).add(r.offset());
        next.merge(partition(r), r.offset() + 1, Math::max);
      }
    } catch (WakeupException e) {
      // only a close wakes the consumer; nothing was read
    }
  }

  private void subscribe() {
    if (subscribed) {
      return;
    }
    consumer.subscribe(List.of(props.topic()), new HandOver());
    subscribed = true;
  }

  @Override
  public void idle() {
    subscribe();
    commitFinished();
    if (!paused) {
      consumer.pause(consumer.assignment());
      paused = true;
    }
    // Keeps this member in the group while it has no room; partitions assigned in this poll are
    // not paused yet, so what it returns is kept.
    pollInto(Duration.ZERO);
  }

  @Override
  public void recorded(List<Claim> claims) {
    for (Claim c : claims) {
      Position p = inFlight.remove(c.messageId());
      if (p != null) {
        finished.add(p);
      }
    }
  }

  @Override
  public void close() {
    try {
      commitFinished();
    } finally {
      consumer.close(Duration.ofSeconds(5));
    }
  }

  private void close(Position p) {
    TreeSet<Long> offsets = open.get(p.partition());
    if (offsets != null) {
      offsets.remove(p.offset());
    }
  }

  /** Commits, per partition, everything before its oldest open record. */
  private void commitFinished() {
    Position p;
    while ((p = finished.poll()) != null) {
      close(p);
    }
    Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
    for (Map.Entry<TopicPartition, Long> e : next.entrySet()) {
      TopicPartition tp = e.getKey();
      TreeSet<Long> offsets = open.get(tp);
      long upTo = offsets == null || offsets.isEmpty() ? e.getValue() : offsets.first();
      Long done = committed.get(tp);
      if (done == null || upTo > done) {
        commit.put(tp, new OffsetAndMetadata(upTo));
      }
    }
    if (commit.isEmpty()) {
      return;
    }
    try {
      consumer.commitSync(commit, props.requestTimeout());
      commit.forEach((tp, o) -> committed.put(tp, o.offset()));
    } catch (RuntimeException e) {
      // Not fatal: the records are read again by whoever owns the partition, and skipped.
      log.warn("event=kafka_commit_failed error={}", e.getClass().getSimpleName());
    }
  }

  private static TopicPartition partition(ConsumerRecord<?, ?> r) {
    return new TopicPartition(r.topic(), r.partition());
  }

  /** Finishes and commits a partition's records before it moves to another sender. */
  private final class HandOver implements ConsumerRebalanceListener {

    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (partitions.isEmpty()) {
        return;
      }
      // Records not yet handed to the dispatcher are read again by the next owner: they stay open,
      // so the commit stops before them. Records in flight are waited for.
      pending.removeIf(r -> partitions.contains(partition(r)));
      long deadline = System.nanoTime() + handOverTimeout.toNanos();
      try {
        while (anyInFlight(partitions)) {
          long left = deadline - System.nanoTime();
          Position p = left > 0 ? finished.poll(left, TimeUnit.NANOSECONDS) : null;
          if (p == null) {
            log.warn("event=kafka_hand_over_timeout partitions={}", partitions.size());
            break;
          }
          close(p);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      commitFinished();
      for (TopicPartition tp : partitions) {
        open.remove(tp);
        next.remove(tp);
        committed.remove(tp);
      }
      log.info("event=kafka_partitions_revoked count={}", partitions.size());
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      pending.removeIf(r -> partitions.contains(partition(r)));
      for (TopicPartition tp : partitions) {
        open.remove(tp);
        next.remove(tp);
        committed.remove(tp);
      }
      log.warn("event=kafka_partitions_lost count={}", partitions.size());
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      if (!partitions.isEmpty()) {
        log.info("event=kafka_partitions_assigned count={}", partitions.size());
      }
    }

    private boolean anyInFlight(Collection<TopicPartition> partitions) {
      for (Position p : inFlight.values()) {
        if (partitions.contains(p.partition())) {
          return true;
        }
      }
      return false;
    }
  }
}
