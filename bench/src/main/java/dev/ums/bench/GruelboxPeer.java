package dev.ums.bench;

import com.gruelbox.transactionoutbox.Dialect;
import com.gruelbox.transactionoutbox.ExecutorSubmitter;
import com.gruelbox.transactionoutbox.Instantiator;
import com.gruelbox.transactionoutbox.Persistor;
import com.gruelbox.transactionoutbox.TransactionManager;
import com.gruelbox.transactionoutbox.TransactionOutbox;
import com.gruelbox.transactionoutbox.TransactionOutboxEntry;
import com.gruelbox.transactionoutbox.TransactionOutboxListener;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.mail.MessagingException;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * gruelbox transaction-outbox ({@code com.gruelbox:transactionoutbox-core}) as a peer, plain JDBC.
 * Each email is one outboxed call {@code Mailer.send(index, messageId)}; running it sends the email
 * through {@link PeerMail}.
 *
 * <p>Tuning, and why:
 *
 * <ul>
 *   <li>{@code TransactionManager.fromDataSource} over a HikariCP pool of {@code connections} (32)
 *       connections; {@code Dialect.POSTGRESQL_9}, the PostgreSQL dialect of this version, so
 *       {@code flush()} selects with {@code FOR UPDATE SKIP LOCKED}.
 *   <li>The drain is the README's background worker: one thread calls {@code flush()} back to back
 *       while it finds work (the README's example then pauses a minute; here 50 ms, so the loop
 *       never idles on a backlog). {@code flush()} selects a batch, pushes every entry's next
 *       attempt back in the same transaction and hands each entry to the {@code Submitter}.
 *   <li>{@code ExecutorSubmitter} over a fixed pool of {@code connections} threads with an
 *       unbounded queue: the flush loop can hand over the whole backlog at once, and no entry is
 *       rejected (a rejected entry would wait a full attempt frequency before the next flush sees
 *       it again). At most {@code connections} tasks, hence SMTP connections, run at once.
 *   <li>{@code flushBatchSize} 500,000 and {@code attemptFrequency} 15 min, the values of the
 *       README's configuration reference ("select 0.5m records at a time"); the docs give no other
 *       throughput advice. The whole backlog goes to the executor in one flush, so the flush loop
 *       does not compete with the senders for CPU and connections afterwards (on this box it
 *       drained a little faster than the default 4,096). The attempt frequency must exceed how long
 *       an entry may wait in the executor queue, or a later flush selects it again (wasted work,
 *       not a duplicate: a task locks its row by version before it sends).
 *   <li>Each task runs in its own transaction: lock the row ({@code SELECT … FOR UPDATE SKIP
 *       LOCKED}), send, delete, commit; the library holds that connection during the SMTP send.
 *   <li>The backlog is written in transactions of 500 calls (the library batches the INSERTs of a
 *       transaction) through a second outbox instance whose {@code Submitter} drops the post-commit
 *       hand-over, so nothing is sent before the timed drain: the state after a crash right after
 *       the commits. That instance's attempt frequency is 1 s, and {@link #enqueue} waits until the
 *       backlog is due.
 *   <li>SLF4J at WARN: the library logs two INFO lines per task. Hibernate Validator (which the
 *       library runs on every entry) is pointed at SLF4J too.
 * </ul>
 */
final class GruelboxPeer implements Peer {

  static final String NAME =
      "transaction-outbox " + Peer.version("com.gruelbox", "transactionoutbox-core");

  static {
    if (System.getProperty("org.jboss.logging.provider") == null) {
      System.setProperty("org.jboss.logging.provider", "slf4j");
    }
  }

  private static final int ENQUEUE_BATCH = 500;
  private static final int FLUSH_BATCH = 500_000;
  private static final Duration ATTEMPT_FREQUENCY = Duration.ofMinutes(15);
  private static final Duration ENQUEUE_ATTEMPT_FREQUENCY = Duration.ofSeconds(1);

  /** The outboxed interface; the outbox persists calls to it and replays them on {@link Sender}. */
  interface Mailer {
    void send(int index, String messageId);
  }

  /** What a replayed call runs: one email through the per-thread Transport. */
  private static final class Sender implements Mailer {
    private final PeerMail mail;

    Sender(PeerMail mail) {
      this.mail = mail;
    }

    @Override
    public void send(int index, String messageId) {
      try {
        mail.send(index, messageId);
      } catch (MessagingException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private final int connections;
  private final HikariDataSource pool;
  private final TransactionManager tm;
  private final PeerMail mail;
  private final Instantiator instantiator;

  GruelboxPeer(Postgres pg, String db, int smtpPort, int connections) {
    this.connections = connections;
    this.pool = pg.pool(db, connections, "txo");
    this.tm = TransactionManager.fromDataSource(pool);
    this.mail = new PeerMail(smtpPort, connections);
    Sender sender = new Sender(mail);
    this.instantiator = Instantiator.using(clazz -> sender);
  }

  @Override
  public void enqueue(int n) throws Exception {
    TransactionOutbox enqueuer =
        TransactionOutbox.builder()
            .transactionManager(tm)
            .persistor(Persistor.forDialect(Dialect.POSTGRESQL_9))
            .instantiator(instantiator)
            .submitter((entry, process) -> {})
            .attemptFrequency(ENQUEUE_ATTEMPT_FREQUENCY)
            .build();
    for (int from = 0; from < n; from += ENQUEUE_BATCH) {
      int start = from;
      int end = Math.min(n, from + ENQUEUE_BATCH);
      tm.inTransaction(
          () -> {
            Mailer proxy = enqueuer.schedule(Mailer.class);
            for (int i = start; i < end; i++) {
              proxy.send(i, UUID.randomUUID().toString());
            }
          });
    }
    Thread.sleep(ENQUEUE_ATTEMPT_FREQUENCY.toMillis() + 100); // until the last entry is due
  }

  @Override
  public boolean drain(int n, long timeoutMillis) throws Exception {
    CountDownLatch done = new CountDownLatch(n);
    AtomicLong failures = new AtomicLong();
    AtomicInteger threadNo = new AtomicInteger();
    ThreadPoolExecutor workers =
        new ThreadPoolExecutor(
            connections,
            connections,
            0,
            TimeUnit.MILLISECONDS,
            new LinkedBlockingQueue<>(),
            r -> new Thread(r, "txo-worker-" + threadNo.incrementAndGet()));
    TransactionOutbox outbox =
        TransactionOutbox.builder()
            .transactionManager(tm)
            .persistor(Persistor.forDialect(Dialect.POSTGRESQL_9))
            .instantiator(instantiator)
            .submitter(ExecutorSubmitter.builder().executor(workers).build())
            .flushBatchSize(FLUSH_BATCH)
            .attemptFrequency(ATTEMPT_FREQUENCY)
            .listener(
                new TransactionOutboxListener() {
                  @Override
                  public void success(TransactionOutboxEntry entry) {
                    done.countDown();
                  }

                  @Override
                  public void failure(TransactionOutboxEntry entry, Throwable cause) {
                    failures.incrementAndGet();
                  }
                })
            .build();
    Flusher flusher = new Flusher(outbox);
    try {
      return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
    } finally {
      flusher.stop();
      workers.shutdown();
      if (!workers.awaitTermination(30, TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
      if (failures.get() > 0) {
        Bench.progress(NAME + ": " + failures.get() + " task attempts failed");
      }
    }
  }

  @Override
  public String tuning() {
    return "flush loop + ExecutorSubmitter, "
        + connections
        + " threads, flushBatchSize "
        + FLUSH_BATCH
        + ", attemptFrequency "
        + ATTEMPT_FREQUENCY.toMinutes()
        + " min, POSTGRESQL_9 (SKIP LOCKED), Hikari "
        + connections;
  }

  @Override
  public void close() {
    mail.close();
    pool.close();
  }

  /** The README's background worker: {@code while (outbox.flush()) {}}, then a short pause. */
  private static final class Flusher {
    private final Thread thread;
    private volatile boolean running = true;

    Flusher(TransactionOutbox outbox) {
      thread =
          new Thread(
              () -> {
                while (running) {
                  try {
                    while (running && outbox.flush()) {
                      // keep flushing while there is work
                    }
                  } catch (RuntimeException e) {
                    Bench.progress(NAME + ": flush failed: " + e);
                  }
                  try {
                    Thread.sleep(50);
                  } catch (InterruptedException e) {
                    return;
                  }
                }
              },
              "txo-flush");
      thread.start();
    }

    void stop() throws InterruptedException {
      running = false;
      thread.join();
    }
  }
}
