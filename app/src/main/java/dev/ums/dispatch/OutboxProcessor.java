package dev.ums.dispatch;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.support.Dialect;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ParameterizedPreparedStatementSetter;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The short transactions of dispatch: claim, record results, release, reap. No SMTP happens here
 * and no transaction outlives one of these methods.
 *
 * <p>A claim stamps {@code claimed_by}, a fresh {@code claim_token} and {@code lease_until} on up
 * to N due rows that no live claim holds, moves their messages to SENDING and returns the content —
 * all in one statement on PostgreSQL ({@code FOR UPDATE SKIP LOCKED}, so competing dispatchers
 * never wait for or take each other's rows). Every later write is conditional on the token: if the
 * lease expired and the row was reaped or re-claimed, the write matches no row and is dropped.
 */
@Component
public class OutboxProcessor {

  private static final Logger log = LoggerFactory.getLogger(OutboxProcessor.class);
  static final String LEASE_EXPIRED = "LEASE_EXPIRED";

  private static final String CLAIM_POSTGRESQL =
      """
      WITH due AS (
        SELECT message_id FROM outbox
         WHERE claim_token IS NULL AND next_attempt_at <= ?
         ORDER BY next_attempt_at
         LIMIT ?
           FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE outbox o
           SET claimed_by = ?, claim_token = ?, lease_until = ?, attempts = o.attempts + 1
          FROM due
         WHERE o.message_id = due.message_id
        RETURNING o.message_id, o.attempts
      ), moved AS (
        UPDATE message m
           SET status = 'SENDING', attempts = c.attempts, updated_at = ?
          FROM claimed c
         WHERE m.id = c.message_id
        RETURNING m.id, m.attempts, m.created_at, m.content
      )
      SELECT id, attempts, created_at, content FROM moved
      """;

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Dialect dialect;
  private final ReentrantLock h2ClaimLock = new ReentrantLock();
  private volatile Instant lastDatabaseFailure;

  OutboxProcessor(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, Dialect dialect) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
    this.dialect = dialect;
  }

  /** Claims up to {@code limit} due rows for {@code instanceId}, leased for {@code lease}. */
  List<Outbox> claim(String instanceId, int limit, Duration lease) {
    long leaseEnds = System.nanoTime() + lease.toNanos();
    Instant now = clock.instant();
    UUID token = UUID.randomUUID();
    return watched(() -> claim(instanceId, limit, lease, now, token, leaseEnds));
  }

  private List<Outbox> claim(
      String instanceId, int limit, Duration lease, Instant now, UUID token, long leaseEnds) {
    if (dialect == Dialect.POSTGRESQL) {
      return jdbc.query(
          CLAIM_POSTGRESQL,
          (rs, n) ->
              new Outbox(
                  rs.getObject("id", UUID.class),
                  token,
                  rs.getInt("attempts"),
                  instant(rs, "created_at"),
                  rs.getBytes("content"),
                  leaseEnds),
          ts(now),
          limit,
          instanceId,
          token,
          ts(now.plus(lease)),
          ts(now));
    }
    // H2 (embedded, one process): no SKIP LOCKED, so claims are serialized in this JVM.
    h2ClaimLock.lock();
    try {
      return tx.execute(s -> claimH2(instanceId, limit, lease, now, token, leaseEnds));
    } finally {
      h2ClaimLock.unlock();
    }
  }

  private List<Outbox> claimH2(
      String instanceId, int limit, Duration lease, Instant now, UUID token, long leaseEnds) {
    List<UUID> ids =
        jdbc.queryForList(
            """
            SELECT message_id FROM outbox WHERE claim_token IS NULL AND next_attempt_at <= ?
             ORDER BY next_attempt_at LIMIT ? FOR UPDATE
            """,
            UUID.class,
            ts(now),
            limit);
    if (ids.isEmpty()) {
      return List.of();
    }
    jdbc.batchUpdate(
        """
        UPDATE outbox SET claimed_by = ?, claim_token = ?, lease_until = ?, attempts = attempts + 1
         WHERE message_id = ?
        """,
        ids,
        ids.size(),
        (ps, id) -> {
          ps.setString(1, instanceId);
          ps.setObject(2, token);
          ps.setObject(3, ts(now.plus(lease)));
          ps.setObject(4, id);
        });
    jdbc.batchUpdate(
        """
        UPDATE message SET status = 'SENDING', updated_at = ?,
               attempts = (SELECT o.attempts FROM outbox o WHERE o.message_id = message.id)
         WHERE id = ?
        """,
        ids,
        ids.size(),
        (ps, id) -> {
          ps.setObject(1, ts(now));
          ps.setObject(2, id);
        });
    List<Outbox> claimed = new ArrayList<>(ids.size());
    for (UUID id : ids) {
      claimed.addAll(
          jdbc.query(
              "SELECT attempts, created_at, content FROM message WHERE id = ?",
              (rs, n) ->
                  new Outbox(
                      id,
                      token,
                      rs.getInt("attempts"),
                      instant(rs, "created_at"),
                      rs.getBytes("content"),
                      leaseEnds),
              id));
    }
    return claimed;
  }

  /**
   * What {@link #record} did: outcomes written (of which {@code deadLettered} made a message
   * FAILED), and stale claims whose writes were dropped.
   */
  record Recorded(int applied, int dropped, int deadLettered) {}

  /**
   * Writes the outcomes of many attempts in one transaction. Each is applied only if its claim
   * token still holds the row; otherwise it is dropped and logged (the lease was lost, someone else
   * owns the message now). If this throws, nothing was written and the leases will return the
   * messages to the queue.
   */
  Recorded record(List<Outcome> outcomes) {
    if (outcomes.isEmpty()) {
      return new Recorded(0, 0, 0);
    }
    return watched(() -> tx.execute(s -> recordInTx(outcomes)));
  }

  /**
   * When a dispatch statement last failed on this instance (the database was away), or null. The
   * reaper holds back for a grace period after it, so results held through an outage are recorded
   * before their leases are returned.
   */
  Instant lastDatabaseFailure() {
    return lastDatabaseFailure;
  }

  private <T> T watched(java.util.function.Supplier<T> statement) {
    try {
      return statement.get();
    } catch (org.springframework.dao.DataAccessException
        | org.springframework.transaction.TransactionException e) {
      lastDatabaseFailure = clock.instant();
      throw e;
    }
  }

  private Recorded recordInTx(List<Outcome> outcomes) {
    Instant now = clock.instant();
    List<Outcome.Sent> sent = new ArrayList<>();
    List<Outcome.Failed> retry = new ArrayList<>();
    List<Outcome.Failed> dead = new ArrayList<>();
    List<Outbox> unsent = new ArrayList<>();
    for (Outcome o : outcomes) {
      if (o instanceof Outcome.Unsent u) {
        unsent.add(u.claim());
      } else if (o instanceof Outcome.Sent x) {
        sent.add(x);
      } else if (o instanceof Outcome.Failed f) {
        (f.decision() instanceof RetryPolicy.Retry ? retry : dead).add(f);
      }
    }
    List<Outcome.Sent> sentApplied = deleteOutbox(sent);
    List<Outcome.Failed> deadApplied = deleteOutbox(dead);
    // A relay-wide failure gives its attempt back (the claim counted it).
    List<Outcome.Failed> retryApplied =
        cas(
            retry,
            """
            UPDATE outbox SET next_attempt_at = ?, claim_token = NULL, claimed_by = NULL,
                              lease_until = NULL, attempts = attempts - ?
             WHERE message_id = ? AND claim_token = ?
            """,
            (ps, f) -> {
              ps.setObject(1, ts(((RetryPolicy.Retry) f.decision()).at()));
              ps.setInt(2, f.charged() ? 0 : 1);
              ps.setObject(3, f.claim().messageId());
              ps.setObject(4, f.claim().claimToken());
            },
            Outcome::claim);

    jdbc.batchUpdate(
        """
        UPDATE message SET status = 'SENT', sent_at = ?, updated_at = ?, smtp_reply = ?,
                           refused_recipients = ?
         WHERE id = ?
        """,
        sentApplied,
        Math.max(1, sentApplied.size()),
        (ps, x) -> {
          ps.setObject(1, ts(x.at()));
          ps.setObject(2, ts(now));
          ps.setString(3, truncate(x.reply(), 512));
          ps.setBytes(4, x.refusedRecipients());
          ps.setObject(5, x.claim().messageId());
        });
    List<Outcome.Failed> failed = new ArrayList<>(retryApplied);
    failed.addAll(deadApplied);
    jdbc.batchUpdate(
        """
        UPDATE message SET status = ?, last_error_class = ?, last_error_code = ?, updated_at = ?,
                           attempts = attempts - ?
         WHERE id = ?
        """,
        failed,
        Math.max(1, failed.size()),
        (ps, f) -> {
          ps.setString(1, f.decision() instanceof RetryPolicy.Retry ? "QUEUED" : "FAILED");
          ps.setString(2, f.classification());
          ps.setObject(3, f.replyCode());
          ps.setObject(4, ts(now));
          ps.setInt(5, f.charged() ? 0 : 1);
          ps.setObject(6, f.claim().messageId());
        });
    jdbc.batchUpdate(
        """
        INSERT INTO send_failure (message_id, attempt, classification, reply_code, error_text,
                                  occurred_at)
        VALUES (?, ?, ?, ?, ?, ?)
        """,
        failed,
        Math.max(1, failed.size()),
        (ps, f) -> {
          ps.setObject(1, f.claim().messageId());
          ps.setInt(2, f.claim().attempt());
          ps.setString(3, f.classification());
          ps.setObject(4, f.replyCode());
          ps.setString(5, truncate(f.text(), 512));
          ps.setObject(6, ts(f.at()));
        });
    for (Outcome.Failed f : deadApplied) {
      log.warn(
          "event=dead_letter message_id={} attempt={} class={} code={} reason=\"{}\"",
          f.claim().messageId(),
          f.claim().attempt(),
          f.classification(),
          f.replyCode(),
          ((RetryPolicy.GiveUp) f.decision()).reason());
    }
    int applied =
        sentApplied.size() + deadApplied.size() + retryApplied.size() + release(unsent, now);
    int dropped = outcomes.size() - applied;
    if (dropped > 0) {
      log.warn("event=stale_claims_dropped count={}", dropped);
    }
    return new Recorded(applied, dropped, deadApplied.size());
  }

  private <T extends Outcome> List<T> deleteOutbox(List<T> outcomes) {
    return cas(
        outcomes,
        "DELETE FROM outbox WHERE message_id = ? AND claim_token = ?",
        (ps, o) -> {
          ps.setObject(1, o.claim().messageId());
          ps.setObject(2, o.claim().claimToken());
        },
        Outcome::claim);
  }

  /** Runs a CAS statement per item in one JDBC batch; returns the items whose row matched. */
  private <T> List<T> cas(
      List<T> items,
      String sql,
      ParameterizedPreparedStatementSetter<T> setter,
      Function<T, Outbox> claimOf) {
    if (items.isEmpty()) {
      return List.of();
    }
    int[][] counts = jdbc.batchUpdate(sql, items, items.size(), setter);
    List<T> applied = new ArrayList<>(items.size());
    int i = 0;
    for (int[] chunk : counts) {
      for (int c : chunk) {
        T item = items.get(i++);
        if (c == 1) {
          applied.add(item);
        } else {
          log.warn(
              "event=stale_claim message_id={} token={}",
              claimOf.apply(item).messageId(),
              claimOf.apply(item).claimToken());
        }
      }
    }
    return applied;
  }

  /** Unsent claims back to the queue, due now, with the attempt their claim counted given back. */
  private int release(List<Outbox> claims, Instant now) {
    if (claims.isEmpty()) {
      return 0;
    }
    List<Outbox> released =
        cas(
            claims,
            """
            UPDATE outbox SET claim_token = NULL, claimed_by = NULL, lease_until = NULL,
                              attempts = attempts - 1, next_attempt_at = ?
             WHERE message_id = ? AND claim_token = ?
            """,
            (ps, c) -> {
              ps.setObject(1, ts(now));
              ps.setObject(2, c.messageId());
              ps.setObject(3, c.claimToken());
            },
            c -> c);
    jdbc.batchUpdate(
        """
        UPDATE message SET status = 'QUEUED', attempts = attempts - 1, updated_at = ?
         WHERE id = ?
        """,
        released,
        Math.max(1, released.size()),
        (ps, c) -> {
          ps.setObject(1, ts(now));
          ps.setObject(2, c.messageId());
        });
    return released.size();
  }

  /**
   * Rows whose lease has expired, as claims that can be recorded as failed attempts. A crash (or a
   * stall longer than the lease) is the only way a row gets here.
   */
  List<Outbox> expiredLeases(int limit) {
    return watched(() -> expiredLeasesNow(limit));
  }

  private List<Outbox> expiredLeasesNow(int limit) {
    return jdbc.query(
        """
        SELECT o.message_id, o.claim_token, o.attempts, m.created_at
          FROM outbox o JOIN message m ON m.id = o.message_id
         WHERE o.claim_token IS NOT NULL AND o.lease_until < ?
         ORDER BY o.lease_until
         LIMIT ?
        """,
        (rs, n) ->
            new Outbox(
                rs.getObject("message_id", UUID.class),
                rs.getObject("claim_token", UUID.class),
                rs.getInt("attempts"),
                instant(rs, "created_at"),
                null,
                0),
        ts(clock.instant()),
        limit);
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
