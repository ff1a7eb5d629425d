package dev.ums.ratelimit;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Buckets in the {@code rate_bucket} table, shared by every instance. A take is one atomic upsert:
 * it refills from the elapsed time and removes the cost only if enough tokens are there, so
 * concurrent takes from many instances never overspend. One round trip per take.
 */
final class PostgresBuckets implements BucketStore {

  private static final String REFILLED =
      "LEAST(:capacity, b.tokens + :rate * GREATEST(0, EXTRACT(EPOCH FROM (EXCLUDED.updated_at - b.updated_at))))";

  private static final String TAKE =
      """
      INSERT INTO rate_bucket AS b (client_id, kind, tokens, updated_at)
      VALUES (:client, :kind, :capacity - :cost, :now)
      ON CONFLICT (client_id, kind) DO UPDATE
         SET tokens = %s - :cost, updated_at = EXCLUDED.updated_at
       WHERE %s >= LEAST(:cost, :capacity)
      RETURNING tokens
      """
          .formatted(REFILLED, REFILLED);

  private final NamedParameterJdbcTemplate jdbc;
  private final Clock clock;

  PostgresBuckets(NamedParameterJdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  @Override
  public Take take(String clientId, String kind, double rate, double cost) {
    Instant now = clock.instant();
    MapSqlParameterSource p =
        new MapSqlParameterSource()
            .addValue("client", clientId)
            .addValue("kind", kind)
            .addValue("capacity", rate)
            .addValue("rate", rate)
            .addValue("cost", cost)
            .addValue("now", ts(now));
    List<Double> left = jdbc.queryForList(TAKE, p, Double.class);
    if (!left.isEmpty()) {
      return new Take(true, Math.max(0, left.get(0)), Duration.ZERO);
    }
    // Refused: nothing was written; work out from the stored state how long until it would pass.
    double tokens =
        jdbc
            .query(
                "SELECT tokens, updated_at FROM rate_bucket WHERE client_id = :client AND kind = :kind",
                p,
                (rs, n) ->
                    Math.min(
                        rate,
                        rs.getDouble("tokens")
                            + rate * LocalBuckets.seconds(instant(rs, "updated_at"), now)))
            .stream()
            .findFirst()
            .orElse(rate);
    double need = Math.min(cost, rate);
    return new Take(false, Math.max(0, tokens), LocalBuckets.waitFor(need - tokens, rate));
  }
}
