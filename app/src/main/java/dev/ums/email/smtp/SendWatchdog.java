package dev.ums.email.smtp;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Aborts a send still running at its deadline by closing its connection under it. One daemon thread
 * per watchdog, started by the first send it watches, looks at the running sends' deadlines every
 * {@link #TICK_MILLIS}: a send only registers and unregisters itself, where a scheduler task per
 * send would wake the scheduler thread for nearly every message. An abort (closing a socket, which
 * for TLS may wait on a lock held by the blocked writer) runs on a thread of its own, so one stuck
 * socket never delays another.
 *
 * <p>Owned by its connection pool and closed with it. Closing stops the thread once no send is
 * watched any more: a send still running when the pool closes is still aborted at its deadline. A
 * send watched after closing is not watched at all; the closed pool refuses it before it connects.
 */
final class SendWatchdog implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(SendWatchdog.class);

  /** How often the thread looks at the running sends' deadlines. */
  static final long TICK_MILLIS = 100;

  private final Set<Watch> running = ConcurrentHashMap.newKeySet();

  /** Guarded by {@code this}; null until the first watched send. */
  private ScheduledExecutorService ticker;

  /** Guarded by {@code this}. */
  private boolean closed;

  /** Starts watching a send that must be over by {@code deadlineNanos} ({@code nanoTime}). */
  Watch watch(long deadlineNanos) {
    Watch w = new Watch(deadlineNanos);
    synchronized (this) {
      if (closed) {
        return w;
      }
      if (ticker == null) {
        ticker =
            Executors.newSingleThreadScheduledExecutor(
                r -> {
                  Thread t = new Thread(r, "ums-smtp-watchdog");
                  t.setDaemon(true);
                  return t;
                });
        ticker.scheduleWithFixedDelay(
            this::fireOverdue, TICK_MILLIS, TICK_MILLIS, TimeUnit.MILLISECONDS);
      }
      running.add(w);
    }
    return w;
  }

  /** Fires, once each, the watches whose deadline has passed. */
  private void fireOverdue() {
    long now = System.nanoTime();
    for (Watch w : running) {
      if (now - w.deadlineNanos >= 0 && running.remove(w)) {
        try {
          w.fire();
        } catch (RuntimeException e) {
          // A failed abort must not stop the schedule (an exception would end it).
          log.warn("event=smtp_abort_failed error={}", e.getClass().getSimpleName());
        }
      }
    }
    stopIfDone();
  }

  private synchronized void stopIfDone() {
    if (closed && ticker != null && running.isEmpty()) {
      ticker.shutdown();
    }
  }

  /** Whether the thread is still running (for tests). */
  synchronized boolean ticking() {
    return ticker != null && !ticker.isTerminated();
  }

  /** Stops the thread now if no send is watched, else once the last one has ended. */
  @Override
  public synchronized void close() {
    closed = true;
    stopIfDone();
  }

  /** One send's deadline, and the connection to close when it passes. */
  final class Watch {
    private final long deadlineNanos;
    private SmtpConnection connection;
    private boolean fired;

    private Watch(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
    }

    /** The connection the send now runs on, or null; aborted at once if the deadline has passed. */
    synchronized void attach(SmtpConnection c) {
      connection = c;
      if (fired && c != null) {
        abortAsync(c);
      }
    }

    /** Whether the deadline passed while the send was watched. */
    synchronized boolean fired() {
      return fired;
    }

    private synchronized void fire() {
      fired = true;
      if (connection != null) {
        log.warn("event=smtp_send_aborted reason=deadline");
        abortAsync(connection);
      }
    }

    /** The send is over; its deadline no longer matters. */
    void cancel() {
      running.remove(this);
    }
  }

  private static void abortAsync(SmtpConnection c) {
    Thread t = new Thread(c::abort, "ums-smtp-abort");
    t.setDaemon(true);
    t.start();
  }
}
