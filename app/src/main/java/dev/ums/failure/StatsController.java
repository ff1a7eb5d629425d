package dev.ums.failure;

import static dev.ums.support.JdbcTime.ts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Pipeline counts for operators. Not authenticated yet (the security issue adds the ADMIN role).
 */
@RestController
class StatsController {

  private final FailureRepository repo;
  private final Clock clock;

  StatsController(FailureRepository repo, Clock clock) {
    this.repo = repo;
    this.clock = clock;
  }

  @GetMapping(path = "/api/admin/stats", produces = MediaType.APPLICATION_JSON_VALUE)
  AdminStats stats() {
    Instant now = clock.instant();
    Instant hourAgo = now.minus(Duration.ofHours(1));
    Instant oldest = repo.oldestDue(now);
    return new AdminStats(
        now,
        repo.countByStatus(),
        repo.count(
            "SELECT COUNT(*) FROM message WHERE status = 'SENT' AND sent_at >= ?", ts(hourAgo)),
        repo.count("SELECT COUNT(*) FROM send_failure WHERE occurred_at >= ?", ts(hourAgo)),
        repo.count(
            "SELECT COUNT(*) FROM message WHERE status = 'FAILED' AND updated_at >= ?",
            ts(hourAgo)),
        repo.count("SELECT COUNT(*) FROM message WHERE status = 'FAILED' AND resolved_at IS NULL"),
        oldest == null ? 0 : Math.max(0, Duration.between(oldest, now).toSeconds()),
        repo.count("SELECT COUNT(*) FROM outbox"));
  }
}
