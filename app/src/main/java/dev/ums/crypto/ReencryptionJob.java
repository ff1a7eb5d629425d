package dev.ums.crypto;

import dev.ums.ledger.Ledger;
import dev.ums.security.ContentCipher;
import dev.ums.security.RecipientIndex;
import dev.ums.suppression.Suppressions;
import dev.ums.web.ApiProblem;
import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import tools.jackson.databind.json.JsonMapper;

/**
 * The admin-started {@link Reencryption} run: one at a time on the maintenance thread, with its
 * progress readable while it runs and after it ends. Progress lives in this instance only; a
 * restart forgets it, and a run cut short by one is simply started again.
 */
@Component
class ReencryptionJob {

  private static final Logger log = LoggerFactory.getLogger(ReencryptionJob.class);

  /** Where a run stands. */
  enum State {
    /** No run since this instance started. */
    IDLE,
    /** Running now. */
    RUNNING,
    /** Finished; see {@code progress.remaining}. */
    DONE,
    /** Stopped by an error; run again to continue. */
    FAILED
  }

  /** What {@code /api/admin/crypto/reencrypt} answers. */
  record Status(
      State state,
      boolean reindex,
      Instant startedAt,
      Instant finishedAt,
      Reencryption.Progress progress) {}

  private final Reencryption reencryption;
  private final ExecutorService maintenance;
  private final Clock clock;
  private final AtomicReference<Status> status =
      new AtomicReference<>(new Status(State.IDLE, false, null, null, null));

  ReencryptionJob(
      JdbcTemplate jdbc,
      Ledger ledger,
      ContentCipher cipher,
      RecipientIndex index,
      JsonMapper json,
      Suppressions suppressions,
      @Qualifier("maintenance") ExecutorService maintenance,
      Clock clock) {
    this.reencryption = new Reencryption(jdbc, ledger, cipher, index, json, suppressions);
    this.maintenance = maintenance;
    this.clock = clock;
  }

  Status status() {
    return status.get();
  }

  /** Starts a run; 409 if one is running. */
  Status start(boolean reindex) {
    Status current = status.get();
    Status running = new Status(State.RUNNING, reindex, clock.instant(), null, null);
    if (current.state() == State.RUNNING || !status.compareAndSet(current, running)) {
      throw new ApiProblem(
          HttpStatus.CONFLICT,
          "reencryption-running",
          "Re-encryption running",
          "A re-encryption run is in progress; watch it with GET /api/admin/crypto/reencrypt");
    }
    maintenance.execute(() -> run(running));
    return running;
  }

  private void run(Status started) {
    try {
      Reencryption.Progress done =
          reencryption.run(
              started.reindex(),
              p ->
                  status.set(
                      new Status(State.RUNNING, started.reindex(), started.startedAt(), null, p)));
      status.set(
          new Status(State.DONE, started.reindex(), started.startedAt(), clock.instant(), done));
    } catch (RuntimeException e) {
      log.warn("event=reencryption_failed error={}", e.getClass().getSimpleName());
      Status last = status.get();
      status.set(
          new Status(
              State.FAILED,
              started.reindex(),
              started.startedAt(),
              clock.instant(),
              last.progress()));
    }
  }
}
