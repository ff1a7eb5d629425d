package dev.ums.bench;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.SchedulerClient;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import jakarta.mail.MessagingException;
import java.sql.Connection;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * db-scheduler ({@code com.github.kagkarlsson:db-scheduler}) as a peer: each email is one execution
 * of a one-time task, instance id = the Message-ID's local part (a UUID), data = the email's index.
 *
 * <p>Tuning, and why:
 *
 * <ul>
 *   <li>{@code threads(connections)} (32): at most 32 executions, hence SMTP connections, at once.
 *   <li>{@code pollUsingLockAndFetch(1.0, 4.0)}: the README recommends lock-and-fetch above about
 *       1,000 executions/s ("lower overhead and higher throughput": one {@code UPDATE … FOR UPDATE
 *       SKIP LOCKED … RETURNING} picks a batch, instead of an {@code UPDATE} per execution), and
 *       {@code 1.0, 4.0} "for high throughput (i.e. keep threads busy)": fetch up to 4 × threads,
 *       fetch again as soon as only 1 × threads are left.
 *   <li>{@code pollingInterval} 100 ms instead of 10 s: after a full batch the scheduler fetches
 *       again by itself, so the interval only matters when a fetch comes back short; short keeps
 *       the tail from idling.
 *   <li>A HikariCP pool of {@code connections} connections; the scheduler takes one per fetch and
 *       per completion (the execution itself holds none). Its {@code scheduled_tasks} table is
 *       created from the PostgreSQL DDL in the project's README/test resources ({@link #DDL}).
 *   <li>The backlog is written before the scheduler starts, through a {@code SchedulerClient}'s
 *       {@code scheduleBatch} (one JDBC batch of 500 instances per call), all due now.
 *   <li>SLF4J at WARN. Task data uses the default (Java) serializer.
 * </ul>
 */
final class DbSchedulerPeer implements Peer {

  static final String NAME =
      "db-scheduler " + Peer.version("com.github.kagkarlsson", "db-scheduler");

  private static final int ENQUEUE_BATCH = 500;
  private static final double LOWER_LIMIT = 1.0;
  private static final double UPPER_LIMIT = 4.0;
  private static final Duration POLLING_INTERVAL = Duration.ofMillis(100);

  /** db-scheduler's PostgreSQL table (postgresql_tables.sql of its repository, as of 16.x). */
  static final String DDL =
      """
      create table scheduled_tasks (
        task_name text not null,
        task_instance text not null,
        task_data bytea,
        execution_time timestamp with time zone not null,
        picked BOOLEAN not null,
        picked_by text,
        last_success timestamp with time zone,
        last_failure timestamp with time zone,
        consecutive_failures INT,
        last_heartbeat timestamp with time zone,
        version BIGINT not null,
        priority SMALLINT,
        PRIMARY KEY (task_name, task_instance)
      );

      CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
      CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
      CREATE INDEX priority_execution_time_idx on scheduled_tasks (priority desc, execution_time asc);
      """;

  private final int connections;
  private final HikariDataSource pool;
  private final PeerMail mail;
  private final OneTimeTask<Integer> task;
  private volatile CountDownLatch done = new CountDownLatch(0);

  DbSchedulerPeer(Postgres pg, String db, int smtpPort, int connections) throws Exception {
    this.connections = connections;
    try (Connection c = pg.connect(db);
        Statement s = c.createStatement()) {
      s.execute(DDL);
    }
    this.pool = pg.pool(db, connections, "db-scheduler");
    this.mail = new PeerMail(smtpPort, connections);
    this.task =
        Tasks.oneTime("send-email", Integer.class)
            .execute(
                (instance, context) -> {
                  try {
                    mail.send(instance.getData(), instance.getId());
                  } catch (MessagingException e) {
                    throw new IllegalStateException(e);
                  }
                  done.countDown();
                });
  }

  @Override
  public void enqueue(int n) {
    SchedulerClient client = SchedulerClient.Builder.create(pool, task).build();
    Instant now = Instant.now();
    for (int from = 0; from < n; from += ENQUEUE_BATCH) {
      List<TaskInstance<?>> batch = new ArrayList<>(ENQUEUE_BATCH);
      for (int i = from; i < Math.min(n, from + ENQUEUE_BATCH); i++) {
        batch.add(task.instance(UUID.randomUUID().toString(), i));
      }
      client.scheduleBatch(batch, now);
    }
  }

  @Override
  public boolean drain(int n, long timeoutMillis) throws InterruptedException {
    done = new CountDownLatch(n);
    Scheduler scheduler =
        Scheduler.create(pool, task)
            .threads(connections)
            .pollUsingLockAndFetch(LOWER_LIMIT, UPPER_LIMIT)
            .pollingInterval(POLLING_INTERVAL)
            .build();
    scheduler.start();
    try {
      return done.await(timeoutMillis, TimeUnit.MILLISECONDS);
    } finally {
      scheduler.stop();
    }
  }

  @Override
  public String tuning() {
    return "one-time task, threads "
        + connections
        + ", pollUsingLockAndFetch("
        + LOWER_LIMIT
        + ", "
        + UPPER_LIMIT
        + "), polling interval "
        + POLLING_INTERVAL.toMillis()
        + " ms, Hikari "
        + connections;
  }

  @Override
  public void close() {
    mail.close();
    pool.close();
  }
}
