package dev.ums.message;

import dev.ums.ledger.KeyClaim;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.NewMessage;
import dev.ums.support.Dialect;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Group commit for single-message requests on PostgreSQL: request threads hand their prepared row
 * to a writer, a writer takes every request waiting at that moment (up to {@code
 * ums.intake.max-group}) and stores them all in one transaction, and each request returns only
 * after that commit. Nothing waits to fill a group: under light load a group is one request; under
 * heavy load the groups grow by themselves, and one commit (one WAL flush, one round trip for the
 * multi-row inserts) serves many requests.
 *
 * <p>Guarantees are those of the one-request path: a {@code 202} is answered only after the commit
 * that holds the message, its outbox row and its idempotency record. If a group's transaction
 * fails, nothing of it was stored, and each request of the group is written again on its own (so
 * one bad row, or a deadlock between two groups' idempotency keys, fails only its own request); a
 * request whose own write fails gets that exception, which the API answers as for the one-request
 * path (503 when the database is unreachable). Keys are taken in (client, key) order within a
 * group, so two groups never wait on each other's keys in opposite order.
 *
 * <p>Lifecycle: it stops after the web server (lower phase), so requests still in flight during a
 * graceful shutdown are written; a request arriving after stop is written on the caller's thread.
 */
@Component
class GroupCommit implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(GroupCommit.class);

  record Pending(NewMessage row, KeyClaim claim, CompletableFuture<Boolean> done) {}

  private final Ledger ledger;
  private final TransactionTemplate tx;
  private final boolean enabled;
  private final int writers;
  private final int maxGroup;
  private final DistributionSummary groupSize;
  private final BlockingQueue<Pending> queue = new LinkedBlockingQueue<>();
  private final List<Thread> threads = new ArrayList<>();
  private volatile boolean running;

  @Autowired
  GroupCommit(
      Ledger ledger,
      TransactionTemplate tx,
      IntakeProperties props,
      Dialect dialect,
      MeterRegistry meters) {
    this(ledger, tx, props, dialect.writesInOneStatement(), meters);
  }

  GroupCommit(
      Ledger ledger,
      TransactionTemplate tx,
      IntakeProperties props,
      boolean postgresql,
      MeterRegistry meters) {
    this.ledger = ledger;
    this.tx = tx;
    this.enabled = postgresql && props.groupCommit();
    this.writers = props.writers();
    this.maxGroup = props.maxGroup();
    this.groupSize =
        DistributionSummary.builder("ums.intake.group.size")
            .description("Single-message requests stored by one group-commit transaction")
            .register(meters);
  }

  /**
   * Stores {@code row} (taking {@code claim}'s key, if any) and returns once committed: true if
   * stored, false if a live record already held the key (nothing written).
   */
  boolean store(NewMessage row, KeyClaim claim) {
    if (!running) {
      return ledger.enqueueOne(row, claim);
    }
    Pending p = submit(row, claim);
    if (!running && queue.remove(p)) {
      // Stopped meanwhile and nobody took it: write it here.
      return ledger.enqueueOne(row, claim);
    }
    try {
      return p.done().join();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw e;
    }
  }

  /** Queues a row for the next group; its future completes after that group's commit. */
  Pending submit(NewMessage row, KeyClaim claim) {
    Pending p = new Pending(row, claim, new CompletableFuture<>());
    queue.add(p);
    return p;
  }

  private void writeLoop() {
    List<Pending> group = new ArrayList<>(maxGroup);
    while (running || !queue.isEmpty()) {
      try {
        Pending first = queue.poll(100, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        group.add(first);
        queue.drainTo(group, maxGroup - 1);
        write(group);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException | Error e) {
        // write() completes every future; this is a last resort so the loop never dies.
        log.error("event=group_commit_failed error={}", e.getClass().getSimpleName());
        group.forEach(p -> p.done().completeExceptionally(e));
      } finally {
        group.clear();
      }
    }
  }

  private void write(List<Pending> group) {
    groupSize.record(group.size());
    List<Pending> plain = new ArrayList<>(group.size());
    List<Pending> keyed = new ArrayList<>();
    for (Pending p : group) {
      (p.claim() == null ? plain : keyed).add(p);
    }
    keyed.sort(
        Comparator.comparing((Pending p) -> p.row().clientId())
            .thenComparing(p -> p.claim().key()));
    boolean[] stored = new boolean[keyed.size()];
    try {
      tx.executeWithoutResult(
          s -> {
            if (!plain.isEmpty()) {
              ledger.enqueue(plain.stream().map(Pending::row).toList());
            }
            for (int i = 0; i < keyed.size(); i++) {
              stored[i] = ledger.enqueueOne(keyed.get(i).row(), keyed.get(i).claim());
            }
          });
    } catch (RuntimeException e) {
      log.warn(
          "event=group_commit_retry_singly size={} error={}",
          group.size(),
          e.getClass().getSimpleName());
      for (Pending p : group) {
        try {
          p.done().complete(ledger.enqueueOne(p.row(), p.claim()));
        } catch (RuntimeException single) {
          p.done().completeExceptionally(single);
        }
      }
      return;
    }
    plain.forEach(p -> p.done().complete(true));
    for (int i = 0; i < keyed.size(); i++) {
      keyed.get(i).done().complete(stored[i]);
    }
  }

  @Override
  public void start() {
    if (!enabled) {
      return;
    }
    running = true;
    for (int i = 1; i <= writers; i++) {
      Thread t = new Thread(this::writeLoop, "ums-intake-writer-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
  }

  @Override
  public void stop() {
    running = false;
    for (Thread t : threads) {
      try {
        t.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    threads.clear();
    List<Pending> rest = new ArrayList<>();
    queue.drainTo(rest);
    if (!rest.isEmpty()) {
      write(rest);
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  /** Below the web server's phases: stops after it stopped taking and finishing requests. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE - 4096;
  }
}
