package dev.ums.security;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.web.ApiProblem;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/** Admin actions, written to {@code audit_event}: actor, action, target, outcome, time. */
@Component
public class AuditLog {

  private static final Logger log = LoggerFactory.getLogger(AuditLog.class);

  private final JdbcTemplate jdbc;
  private final Clock clock;

  AuditLog(JdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** One audited action. */
  public record Event(
      long id, String actor, String action, String target, String outcome, Instant occurredAt) {}

  /**
   * Records an action by the current caller (or {@code system} outside a request).
   *
   * @param target an id (message, key), never personal data
   */
  public void record(String action, String target, String outcome) {
    String actor;
    try {
      actor = Caller.current().actor();
    } catch (IllegalStateException e) {
      actor = "system";
    }
    jdbc.update(
        "INSERT INTO audit_event (actor, action, target, outcome, occurred_at) VALUES (?, ?, ?, ?, ?)",
        actor,
        action,
        target,
        outcome,
        ts(clock.instant()));
    log.info("event=audit actor={} action={} target={} outcome={}", actor, action, target, outcome);
  }

  /**
   * Runs an admin action and records its outcome: {@code OK}, {@code REFUSED_<status>} for an API
   * problem (404, 409…), or {@code ERROR} for anything else; the exception is rethrown.
   */
  public <T> T audited(String action, String target, Supplier<T> op) {
    try {
      T result = op.get();
      record(action, target, "OK");
      return result;
    } catch (ApiProblem p) {
      record(action, target, "REFUSED_" + p.status().value());
      throw p;
    } catch (RuntimeException e) {
      record(action, target, "ERROR");
      throw e;
    }
  }

  /** Newest first. */
  public List<Event> recent(int limit) {
    return jdbc.query(
        "SELECT id, actor, action, target, outcome, occurred_at FROM audit_event ORDER BY id DESC LIMIT ?",
        (rs, n) ->
            new Event(
                rs.getLong("id"),
                rs.getString("actor"),
                rs.getString("action"),
                rs.getString("target"),
                rs.getString("outcome"),
                instant(rs, "occurred_at")),
        limit);
  }
}
