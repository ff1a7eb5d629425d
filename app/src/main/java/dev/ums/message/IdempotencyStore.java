package dev.ums.message;

import static dev.ums.support.JdbcTime.ts;

import dev.ums.support.Dialect;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.scheduling.annotation.SchedulingConfigurer;
import org.springframework.scheduling.config.FixedDelayTask;
import org.springframework.scheduling.config.ScheduledTaskRegistrar;
import org.springframework.stereotype.Repository;

/**
 * Idempotency keys, one row per (client, key), written in the caller's intake transaction.
 *
 * <p>The key is taken with an insert that does nothing on conflict (PostgreSQL {@code ON CONFLICT},
 * H2 {@code MERGE}), so a duplicate is a row count of 0, not an exception: the surrounding
 * transaction stays usable and no second transaction is needed. On PostgreSQL a concurrent insert
 * of the same key waits for the first transaction to finish, then sees its row; exactly one request
 * wins. A record whose {@code expires_at} has passed is taken over by the same statement, so an
 * expired key may be reused even before the purge job has removed it.
 */
@Repository
class IdempotencyStore implements SchedulingConfigurer {

  private final Duration purgeInterval;

  private static final Logger log = LoggerFactory.getLogger(IdempotencyStore.class);

  private static final String FIND =
      """
      SELECT fingerprint, response_status, response_body FROM idempotency_record
       WHERE client_id = ? AND idem_key = ?
      """;

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final String claimSql;

  IdempotencyStore(JdbcTemplate jdbc, Clock clock, Dialect dialect, IdempotencyProperties props) {
    this.purgeInterval = props.purgeInterval();
    this.jdbc = jdbc;
    this.clock = clock;
    this.claimSql = dialect.takeIdempotencyKey();
  }

  /** A remembered answer. */
  record StoredAnswer(String fingerprint, int status, String body) {}

  /**
   * Takes the key for this request. Returns true if this request now owns it (new or expired),
   * false if a live record exists, which {@link #find} then returns.
   */
  boolean claim(
      String clientId,
      String key,
      String fingerprint,
      int status,
      String body,
      Instant now,
      Instant expiresAt) {
    return jdbc.update(claimSql, clientId, key, fingerprint, status, body, ts(now), ts(expiresAt))
        == 1;
  }

  Optional<StoredAnswer> find(String clientId, String key) {
    return jdbc
        .query(
            FIND,
            (rs, n) ->
                new StoredAnswer(
                    rs.getString("fingerprint"),
                    rs.getInt("response_status"),
                    rs.getString("response_body")),
            clientId,
            key)
        .stream()
        .findFirst();
  }

  /** Purges every {@code ums.idempotency.purge-interval}. */
  @Override
  public void configureTasks(ScheduledTaskRegistrar tasks) {
    tasks.addFixedDelayTask(new FixedDelayTask(this::purgeExpired, purgeInterval, purgeInterval));
  }

  /** Deletes expired records; their keys may then be used again. */
  int purgeExpired() {
    int n =
        jdbc.update("DELETE FROM idempotency_record WHERE expires_at <= ?", ts(clock.instant()));
    if (n > 0) {
      log.info("event=idempotency_purged count={}", n);
    }
    return n;
  }
}
