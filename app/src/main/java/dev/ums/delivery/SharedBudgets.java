package dev.ums.delivery;

import static dev.ums.support.JdbcTime.ts;

import java.time.Clock;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/**
 * Buckets in the {@code delivery_budget} table (PostgreSQL), shared by every instance. A take is
 * one {@code UPDATE … RETURNING} of one row: it refills from the elapsed time at the current rate
 * and removes what it grants, so concurrent takes from many instances queue on the row lock and
 * never overspend. Every expression reads only the updated row, so a take that waited for the lock
 * recomputes from the committed values. One round trip per take; the row is created once per JVM
 * with {@code ON CONFLICT DO NOTHING}.
 */
final class SharedBudgets implements Budgets {

  /** The current rate: configured, or after a cut, the cut rate climbing back after a cool-down. */
  private static final String RATE =
      """
      (CASE WHEN b.cut_at IS NULL THEN CAST(:rate AS DOUBLE PRECISION)
            ELSE LEAST(:rate, b.cut_rate + :inc * :rate * GREATEST(0,
                 EXTRACT(EPOCH FROM (CAST(:now AS TIMESTAMPTZ) - b.cut_at)) - :cool)) END)""";

  private static final String REFILLED =
      ("LEAST(GREATEST(1, %1$s * :burst), b.tokens + %1$s * GREATEST(0,"
              + " EXTRACT(EPOCH FROM (CAST(:now AS TIMESTAMPTZ) - b.updated_at))))")
          .formatted(RATE);

  private static final String TAKE =
      """
      UPDATE delivery_budget b
         SET tokens = %1$s - LEAST(FLOOR(%1$s), :want),
             granted = LEAST(FLOOR(%1$s), :want),
             updated_at = :now
       WHERE b.name = :name
      RETURNING b.granted, b.tokens, %2$s AS rate
      """
          .formatted(REFILLED, RATE);

  private static final String CUT =
      """
      UPDATE delivery_budget b
         SET cut_rate = GREATEST(:floor, %1$s * :decrease),
             cut_at = :now,
             tokens = LEAST(b.tokens, GREATEST(1, GREATEST(:floor, %1$s * :decrease) * :burst))
       WHERE b.name = :name
         AND (b.cut_at IS NULL
              OR EXTRACT(EPOCH FROM (CAST(:now AS TIMESTAMPTZ) - b.cut_at)) >= :cool)
      RETURNING b.cut_rate
      """
          .formatted(RATE);

  private static final String PEEK =
      "SELECT %s AS tokens, %s AS rate FROM delivery_budget b WHERE b.name = :name"
          .formatted(REFILLED, RATE);

  private final NamedParameterJdbcTemplate jdbc;
  private final Shape shape;
  private final Clock clock;
  private final Set<String> created = ConcurrentHashMap.newKeySet();

  SharedBudgets(NamedParameterJdbcTemplate jdbc, Shape shape, Clock clock) {
    this.jdbc = jdbc;
    this.shape = shape;
    this.clock = clock;
  }

  @Override
  public Grant take(String name, double rate, int want) {
    MapSqlParameterSource p = params(name, rate).addValue("want", want);
    ensure(name, rate, p);
    return jdbc
        .query(
            TAKE,
            p,
            (rs, n) ->
                new Grant(rs.getInt("granted"), rs.getDouble("tokens"), rs.getDouble("rate")))
        .stream()
        .findFirst()
        .orElse(new Grant(0, 0, rate));
  }

  @Override
  public void refund(String name, int n) {
    jdbc.update(
        "UPDATE delivery_budget SET tokens = tokens + :n WHERE name = :name",
        new MapSqlParameterSource("name", name).addValue("n", n));
  }

  @Override
  public double cut(String name, double rate) {
    MapSqlParameterSource p =
        params(name, rate)
            .addValue("floor", Shape.floor(rate))
            .addValue("decrease", shape.decrease());
    ensure(name, rate, p);
    return jdbc.queryForList(CUT, p, Double.class).stream().findFirst().orElse(-1d);
  }

  @Override
  public Grant peek(String name, double rate) {
    return jdbc
        .query(
            PEEK,
            params(name, rate),
            (rs, n) -> new Grant(0, rs.getDouble("tokens"), rs.getDouble("rate")))
        .stream()
        .findFirst()
        .orElse(new Grant(0, Math.max(1, rate * shape.burstSeconds()), rate));
  }

  private void ensure(String name, double rate, MapSqlParameterSource p) {
    if (created.add(name)) {
      jdbc.update(
          """
          INSERT INTO delivery_budget (name, tokens, granted, updated_at)
          VALUES (:name, GREATEST(1, :rate * :burst), 0, :now)
          ON CONFLICT (name) DO NOTHING
          """,
          p);
    }
  }

  private MapSqlParameterSource params(String name, double rate) {
    return new MapSqlParameterSource()
        .addValue("name", name)
        .addValue("rate", rate)
        .addValue("burst", shape.burstSeconds())
        .addValue("inc", shape.increase())
        .addValue("cool", shape.coolSeconds())
        .addValue("now", ts(clock.instant()));
  }
}
