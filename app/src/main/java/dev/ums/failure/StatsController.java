package dev.ums.failure;

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
    return repo.stats(now, now.minus(Duration.ofHours(1)));
  }
}
