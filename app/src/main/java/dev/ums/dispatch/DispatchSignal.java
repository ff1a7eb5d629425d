package dev.ums.dispatch;

import dev.ums.message.MessagesQueued;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * Wakes claimers ({@link Wakeable}: the dispatcher, the Kafka relay) when work arrives. Locally, an
 * intake commit wakes this instance's claimers directly. Across instances (PostgreSQL only), the
 * commit is announced with {@code NOTIFY ums_outbox} — at most one per {@link #NOTIFY_GAP_MS} per
 * instance — and a listener thread on a dedicated connection ({@code LISTEN ums_outbox}) wakes them
 * when another instance announces. Losing a notification only costs latency: polling remains the
 * fallback.
 */
class DispatchSignal implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(DispatchSignal.class);
  static final String CHANNEL = "ums_outbox";
  static final long NOTIFY_GAP_MS = 20;

  private final List<Wakeable> targets;
  private final String instanceId;
  private final JdbcTemplate jdbc;
  private final ListenTarget listen; // null: no cross-instance signalling
  private final AtomicLong lastNotify = new AtomicLong();
  private volatile boolean running;
  private Thread listener;

  /** Where the listener connects: the same database as the pool, outside the pool. */
  record ListenTarget(String url, String user, String password) {}

  DispatchSignal(
      List<Wakeable> targets, String instanceId, JdbcTemplate jdbc, ListenTarget listen) {
    this.targets = List.copyOf(targets);
    this.instanceId = instanceId;
    this.jdbc = jdbc;
    this.listen = listen;
  }

  @EventListener
  void onQueued(MessagesQueued e) {
    if (!e.immediate()) {
      return;
    }
    wakeAll();
    if (listen != null) {
      long now = System.nanoTime() / 1_000_000;
      long last = lastNotify.get();
      if (now - last >= NOTIFY_GAP_MS && lastNotify.compareAndSet(last, now)) {
        try {
          jdbc.queryForObject("SELECT pg_notify(?, ?)", Object.class, CHANNEL, instanceId);
        } catch (RuntimeException ex) {
          log.debug("event=notify_failed error={}", ex.getClass().getSimpleName());
        }
      }
    }
  }

  private void wakeAll() {
    for (Wakeable t : targets) {
      t.wake();
    }
  }

  @Override
  public void start() {
    running = true;
    if (listen != null) {
      listener = new Thread(this::listenLoop, "ums-dispatch-listen");
      listener.setDaemon(true);
      listener.start();
    }
  }

  @Override
  public void stop() {
    running = false;
    if (listener != null) {
      listener.interrupt();
    }
  }

  @Override
  public boolean isRunning() {
    return running;
  }

  private void listenLoop() {
    long backoffMs = 500;
    while (running) {
      try (Connection c =
          DriverManager.getConnection(listen.url(), listen.user(), listen.password())) {
        try (Statement s = c.createStatement()) {
          s.execute("LISTEN " + CHANNEL);
        }
        backoffMs = 500;
        PGConnection pg = c.unwrap(PGConnection.class);
        while (running) {
          PGNotification[] ns = pg.getNotifications(1000);
          if (ns == null) {
            continue;
          }
          for (PGNotification n : ns) {
            if (!instanceId.equals(n.getParameter())) {
              wakeAll();
              break;
            }
          }
        }
      } catch (SQLException e) {
        if (!running) {
          return;
        }
        log.warn(
            "event=listen_failed error={} retry_in_ms={}", e.getClass().getSimpleName(), backoffMs);
        try {
          TimeUnit.MILLISECONDS.sleep(backoffMs);
        } catch (InterruptedException ie) {
          return;
        }
        backoffMs = Math.min(30_000, backoffMs * 2);
      }
    }
  }
}
