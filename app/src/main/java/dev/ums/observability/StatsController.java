package dev.ums.observability;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code GET /api/admin/stats} (ADMIN, like all of {@code /api/admin}): pipeline counts for
 * operators, see {@link AdminStats}.
 */
@RestController
class StatsController {

  private final StatsRepository repo;
  private final Clock clock;

  StatsController(StatsRepository repo, Clock clock) {
    this.repo = repo;
    this.clock = clock;
  }

  @GetMapping(path = "/api/admin/stats", produces = MediaType.APPLICATION_JSON_VALUE)
  AdminStats stats() {
    Instant now = clock.instant();
    return repo.stats(now, now.minus(Duration.ofHours(1)));
  }
}
