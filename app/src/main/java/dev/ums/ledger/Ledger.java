package dev.ums.ledger;

import static dev.ums.ledger.MessageStatus.BOUNCED;
import static dev.ums.ledger.MessageStatus.CANCELLED;
import static dev.ums.ledger.MessageStatus.FAILED;
import static dev.ums.ledger.MessageStatus.QUEUED;
import static dev.ums.ledger.MessageStatus.SENDING;
import static dev.ums.ledger.MessageStatus.SENT;
import static dev.ums.ledger.MessageStatus.SUPPRESSED;
import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.support.Dialect;
import dev.ums.support.Uuid7;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.core.ParameterizedPreparedStatementSetter;
import org.springframework.stereotype.Component;
import org.springframework.transaction.TransactionException;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The only writer of {@code message} and {@code outbox}, and so the owner of the message state
 * machine ({@link MessageStatus}): enqueue, claim, complete, retry, dead-letter, release, reap,
 * cancel, re-drive, resolve, bounce, retention, re-seal; also the only writer (and reader) of
 * {@code bounce}. Each method is one short transaction or runs in the caller's (said per method);
 * no SMTP or other slow work happens inside one. Every status it writes is checked against {@link
 * MessageStatus#canMoveTo} and bound as a parameter.
 *
 * <p>A claim stamps {@code claimed_by}, a fresh {@code claim_token} and {@code lease_until} on up
 * to N due rows that no live claim holds, moves their messages to SENDING and returns the content —
 * all in one statement on PostgreSQL ({@code FOR UPDATE SKIP LOCKED}, so competing dispatchers
 * never wait for or take each other's rows). Every later write about a claim is conditional on its
 * token: if the lease expired and the row was reaped or re-claimed, the write matches no row and is
 * dropped.
 */
@Component
public class Ledger {

  private static final Logger log = LoggerFactory.getLogger(Ledger.class);

  /**
   * The claim on PostgreSQL; {@code %s} is the scope's condition. Due rows are read in (priority,
   * next_attempt_at) order, which the partial index {@code outbox_due} (or {@code outbox_rule_due}
   * for one rule) serves directly.
   */
  private static final String CLAIM_POSTGRESQL =
      """
      WITH due AS (
        SELECT message_id FROM outbox
         WHERE claim_token IS NULL AND next_attempt_at <= ?%s
         ORDER BY priority, next_attempt_at
         LIMIT ?
           FOR UPDATE SKIP LOCKED
      ), claimed AS (
        UPDATE outbox o
           SET claimed_by = ?, claim_token = ?, lease_until = ?, attempts = o.attempts + 1
          FROM due
         WHERE o.message_id = due.message_id
        RETURNING o.message_id, o.attempts, o.delivery_rule
      ), moved AS (
        UPDATE message m
           SET status = ?, attempts = c.attempts, updated_at = ?
          FROM claimed c
         WHERE m.id = c.message_id
        RETURNING m.id, m.attempts, m.created_at, m.content, c.delivery_rule, m.test_mode,
                  m.client_id
      )
      SELECT id, attempts, created_at, content, delivery_rule, test_mode, client_id FROM moved
      """;

  /** The same claim for the Kafka relay, which publishes ids only: the content stays unread. */
  private static final String CLAIM_POSTGRESQL_WITHOUT_CONTENT =
      CLAIM_POSTGRESQL
          .replace("m.created_at, m.content,", "m.created_at,")
          .replace(
              "SELECT id, attempts, created_at, content,",
              "SELECT id, attempts, created_at, CAST(NULL AS BYTEA) AS content,");

  private static final String INSERT_MESSAGE =
      """
      INSERT INTO message (id, client_id, status, content, recipient_count, recipient_digests,
                           send_at, attempts, created_at, updated_at, tags, priority,
                           delivery_rule, test_mode, metadata)
      VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
      """;

  private static final String INSERT_OUTBOX =
      """
      INSERT INTO outbox (message_id, next_attempt_at, attempts, priority, delivery_rule, client_id)
      VALUES (?, ?, 0, ?, ?, ?)
      """;

  /**
   * PostgreSQL, one message: message + outbox row + its {@code message.queued} event in a single
   * statement. Run in autocommit it is its own transaction: one round trip instead of begin, two
   * inserts and commit.
   */
  private static final String INSERT_ONE_POSTGRESQL =
      """
      WITH m AS (
        INSERT INTO message (id, client_id, status, content, recipient_count,
                             recipient_digests, send_at, attempts, created_at, updated_at, tags,
                             priority, delivery_rule, test_mode, metadata)
        VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)
        RETURNING id, priority, delivery_rule, client_id, test_mode
      ), o AS (
        INSERT INTO outbox (message_id, next_attempt_at, attempts, priority, delivery_rule,
                            client_id)
        SELECT id, ?, 0, priority, delivery_rule, client_id FROM m
      ), e AS (
        INSERT INTO message_event (id, message_id, client_id, type, status, suppressed,
                                   occurred_at, test_mode)
        SELECT ?, id, ?, ?, ?, ?, ?, test_mode FROM m
        RETURNING id
      )
      INSERT INTO event_outbox (event_id) SELECT id FROM e
      """;

  /**
   * One message with an idempotency key, in a single statement (databases that {@link
   * Dialect#writesInOneStatement}), with its {@code message.queued} event: the key is taken with
   * the dialect's statement, which only overwrites an expired record, and the message and outbox
   * rows are inserted only if it took the key. Returns how many messages it queued (0 or 1).
   */
  private static String insertOneWithKey(Dialect dialect) {
    return "WITH k AS (\n"
        + dialect.takeIdempotencyKey()
        + " RETURNING 1\n"
        + """
        ), m AS (
          INSERT INTO message (id, client_id, status, content, recipient_count,
                               recipient_digests, send_at, attempts, created_at, updated_at,
                               tags, priority, delivery_rule, test_mode, metadata)
          SELECT ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ? WHERE EXISTS (SELECT 1 FROM k)
          RETURNING id, priority, delivery_rule, client_id, test_mode
        ), o AS (
          INSERT INTO outbox (message_id, next_attempt_at, attempts, priority, delivery_rule,
                              client_id)
          SELECT id, ?, 0, priority, delivery_rule, client_id FROM m
          RETURNING message_id
        ), e AS (
          INSERT INTO message_event (id, message_id, client_id, type, status, suppressed,
                                     occurred_at, test_mode)
          SELECT ?, o.message_id, ?, ?, ?, ?, ?, m.test_mode FROM o JOIN m ON m.id = o.message_id
          RETURNING id
        ), eo AS (
          INSERT INTO event_outbox (event_id) SELECT id FROM e
        )
        SELECT COUNT(*) FROM o
        """;
  }

  /** The status a new message starts in, unless every recipient is suppressed. */
  private static final String NEW = QUEUED.name();

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Dialect dialect;
  private final ReentrantLock h2ClaimLock = new ReentrantLock();
  private volatile Instant lastDatabaseFailure;
  private final String insertOneWithKey;

  public Ledger(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock, Dialect dialect) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
    this.dialect = dialect;
    this.insertOneWithKey = insertOneWithKey(dialect);
  }

  // ---- enqueue ------------------------------------------------------------------------------

  /**
   * Enqueues messages: each {@code QUEUED} with an outbox row due at its {@code sendAt} (or at
   * once) and a {@code message.queued} event, with JDBC batching; a message whose recipients are
   * all suppressed is stored {@code SUPPRESSED} instead, with a {@code message.suppressed} event
   * and no outbox row. Runs in the caller's transaction, which must also hold whatever makes the
   * answer to the client true (its idempotency record).
   */
  public void enqueue(List<NewMessage> messages) {
    List<NewMessage> queued = messages.stream().filter(m -> !m.allSuppressed()).toList();
    jdbc.batchUpdate(
        INSERT_MESSAGE,
        messages,
        messages.size(),
        (ps, m) -> {
          ps.setObject(1, m.id());
          ps.setString(2, m.clientId());
          ps.setString(3, m.initialStatus().name());
          ps.setBytes(4, m.content());
          ps.setInt(5, m.recipientCount());
          ps.setArray(6, ps.getConnection().createArrayOf("varchar", m.recipientDigests()));
          ps.setObject(7, ts(m.sendAt()));
          ps.setObject(8, ts(m.createdAt()));
          ps.setObject(9, ts(m.createdAt()));
          if (m.tags() == null) {
            ps.setNull(10, java.sql.Types.ARRAY);
          } else {
            ps.setArray(10, ps.getConnection().createArrayOf("varchar", m.tags()));
          }
          ps.setInt(11, m.priority().code());
          ps.setString(12, m.deliveryRule());
          ps.setBoolean(13, m.mode().test());
          ps.setString(14, m.metadata());
        });
    if (!queued.isEmpty()) {
      jdbc.batchUpdate(
          INSERT_OUTBOX,
          queued,
          queued.size(),
          (ps, m) -> {
            ps.setObject(1, m.id());
            ps.setObject(2, ts(due(m)));
            ps.setInt(3, m.priority().code());
            ps.setString(4, m.deliveryRule());
            ps.setString(5, m.clientId());
          });
    }
    writeEvents(messages.stream().map(Ledger::enqueued).toList());
  }

  /** The event of a new message: queued (with how many recipients it leaves out), or suppressed. */
  private static Event enqueued(NewMessage m) {
    return new Event(
        m.id(),
        m.allSuppressed() ? EventType.SUPPRESSED : EventType.QUEUED,
        null,
        null,
        null,
        null,
        m.suppressed() == 0 ? null : m.suppressed(),
        m.createdAt());
  }

  /**
   * PostgreSQL only: enqueues one message (and takes {@code key}, if given) in a single
   * autocommitted statement. Returns false, having written nothing, if a live record already holds
   * the key; a concurrent insert of the same key waits for the other transaction to finish first.
   */
  public boolean enqueueOne(NewMessage m, KeyClaim key) {
    if (!dialect.writesInOneStatement()) {
      throw new UnsupportedOperationException("this database cannot enqueue in one statement");
    }
    if (m.allSuppressed()) {
      throw new IllegalArgumentException("a suppressed message is stored by enqueue, not queued");
    }
    Object[] message = {
      m.id(),
      m.clientId(),
      NEW,
      m.content(),
      m.recipientCount(),
      m.recipientDigests(),
      ts(m.sendAt()),
      ts(m.createdAt()),
      ts(m.createdAt()),
      m.tags(),
      m.priority().code(),
      m.deliveryRule(),
      m.mode().test(),
      m.metadata(),
      ts(due(m)),
      Uuid7.next(),
      m.clientId(),
      EventType.QUEUED.wireName(),
      NEW,
      m.suppressed() == 0 ? null : m.suppressed(),
      ts(m.createdAt())
    };
    if (key == null) {
      return jdbc.update(INSERT_ONE_POSTGRESQL, message) == 1;
    }
    Object[] args = new Object[7 + message.length];
    args[0] = m.clientId();
    args[1] = key.key();
    args[2] = key.fingerprint();
    args[3] = key.status();
    args[4] = key.body();
    args[5] = ts(m.createdAt());
    args[6] = ts(key.expiresAt());
    System.arraycopy(message, 0, args, 7, message.length);
    Integer queued = jdbc.queryForObject(insertOneWithKey, Integer.class, args);
    return queued != null && queued == 1;
  }

  private static DeliveryMode mode(java.sql.ResultSet rs) throws java.sql.SQLException {
    return rs.getBoolean("test_mode") ? DeliveryMode.TEST : DeliveryMode.LIVE;
  }

  private static Instant due(NewMessage m) {
    return m.sendAt() != null ? m.sendAt() : m.createdAt();
  }

  // ---- claim --------------------------------------------------------------------------------

  /**
   * Claims up to {@code limit} due rows for {@code instanceId}, leased for {@code lease}: QUEUED →
   * SENDING, one transaction.
   */
  public List<Claim> claim(String instanceId, int limit, Duration lease) {
    return claim(instanceId, limit, lease, ClaimScope.ALL);
  }

  /**
   * Claims up to {@code limit} due rows within {@code scope} (one delivery rule, or all rules but
   * some): highest priority first, then the longest due. Otherwise as {@link #claim(String, int,
   * Duration)}. Delivery control calls this once per rule it has a budget for, so a rule without
   * budget is never claimed and never holds back the others.
   */
  public List<Claim> claim(String instanceId, int limit, Duration lease, ClaimScope scope) {
    return claim(instanceId, limit, lease, scope, true);
  }

  /**
   * Claims like {@link #claim(String, int, Duration, ClaimScope)} but leaves the content unread
   * ({@link Claim#content()} is null): for the Kafka relay, which publishes ids only and whose
   * senders read the content with {@link #stillClaimed}.
   */
  public List<Claim> claimForHandOff(
      String instanceId, int limit, Duration lease, ClaimScope scope) {
    return claim(instanceId, limit, lease, scope, false);
  }

  private List<Claim> claim(
      String instanceId, int limit, Duration lease, ClaimScope scope, boolean withContent) {
    long leaseEnds = System.nanoTime() + lease.toNanos();
    Instant now = clock.instant();
    UUID token = UUID.randomUUID();
    return watched(
        () -> claim(instanceId, limit, lease, now, token, leaseEnds, scope, withContent));
  }

  private List<Claim> claim(
      String instanceId,
      int limit,
      Duration lease,
      Instant now,
      UUID token,
      long leaseEnds,
      ClaimScope scope,
      boolean withContent) {
    String sending = QUEUED.moveTo(SENDING);
    if (dialect.writesInOneStatement()) {
      List<Object> args = new ArrayList<>();
      args.add(ts(now));
      args.addAll(scope.args());
      args.addAll(List.of(limit, instanceId, token, ts(now.plus(lease)), sending, ts(now)));
      return jdbc.query(
          (withContent ? CLAIM_POSTGRESQL : CLAIM_POSTGRESQL_WITHOUT_CONTENT)
              .formatted(scope.condition()),
          (rs, n) ->
              new Claim(
                  rs.getObject("id", UUID.class),
                  token,
                  rs.getInt("attempts"),
                  instant(rs, "created_at"),
                  rs.getBytes("content"),
                  leaseEnds,
                  rs.getString("delivery_rule"),
                  mode(rs),
                  rs.getString("client_id")),
          args.toArray());
    }
    // No SKIP LOCKED (H2, embedded, one process): claims are serialized in this JVM.
    h2ClaimLock.lock();
    try {
      return tx.execute(
          s ->
              claimH2(
                  instanceId, limit, lease, now, token, leaseEnds, sending, scope, withContent));
    } finally {
      h2ClaimLock.unlock();
    }
  }

  private List<Claim> claimH2(
      String instanceId,
      int limit,
      Duration lease,
      Instant now,
      UUID token,
      long leaseEnds,
      String sending,
      ClaimScope scope,
      boolean withContent) {
    List<Object> args = new ArrayList<>();
    args.add(ts(now));
    args.addAll(scope.args());
    args.add(limit);
    List<UUID> ids =
        jdbc.queryForList(
            "SELECT message_id FROM outbox WHERE claim_token IS NULL AND next_attempt_at <= ?"
                + scope.condition()
                + " ORDER BY priority, next_attempt_at LIMIT ? FOR UPDATE",
            UUID.class,
            args.toArray());
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
        UPDATE message SET status = ?, updated_at = ?,
               attempts = (SELECT o.attempts FROM outbox o WHERE o.message_id = message.id)
         WHERE id = ?
        """,
        ids,
        ids.size(),
        (ps, id) -> {
          ps.setString(1, sending);
          ps.setObject(2, ts(now));
          ps.setObject(3, id);
        });
    List<Claim> claimed = new ArrayList<>(ids.size());
    for (UUID id : ids) {
      claimed.addAll(
          jdbc.query(
              "SELECT attempts, created_at, "
                  + (withContent ? "content" : "CAST(NULL AS BINARY VARYING) AS content")
                  + ", delivery_rule, test_mode, client_id FROM message WHERE id = ?",
              (rs, n) ->
                  new Claim(
                      id,
                      token,
                      rs.getInt("attempts"),
                      instant(rs, "created_at"),
                      rs.getBytes("content"),
                      leaseEnds,
                      rs.getString("delivery_rule"),
                      mode(rs),
                      rs.getString("client_id")),
              id));
    }
    return claimed;
  }

  // ---- record -------------------------------------------------------------------------------

  /**
   * What {@link #record} did: outcomes written (of which {@code deadLettered} made a message
   * FAILED), and stale claims whose writes were dropped.
   */
  public record Recorded(int applied, int dropped, int deadLettered) {}

  /**
   * Writes the outcomes of many attempts in one transaction: SENDING → SENT, → QUEUED (retry or
   * release), → FAILED or → SUPPRESSED (every recipient suppressed, not attempted). Each is applied
   * only if its claim token still holds the row; otherwise it is dropped and logged (the lease was
   * lost, someone else owns the message now). If this throws, nothing was written.
   */
  public Recorded record(List<Outcome> outcomes) {
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
  public Instant lastDatabaseFailure() {
    return lastDatabaseFailure;
  }

  private <T> T watched(Supplier<T> statement) {
    try {
      return statement.get();
    } catch (DataAccessException | TransactionException e) {
      lastDatabaseFailure = clock.instant();
      throw e;
    }
  }

  private Recorded recordInTx(List<Outcome> outcomes) {
    Instant now = clock.instant();
    List<Outcome.Sent> sent = new ArrayList<>();
    List<Outcome.Failed> retry = new ArrayList<>();
    List<Outcome.Failed> dead = new ArrayList<>();
    List<Outcome.Unsent> unsent = new ArrayList<>();
    List<Outcome.Suppressed> suppressed = new ArrayList<>();
    for (Outcome o : outcomes) {
      if (o instanceof Outcome.Unsent u) {
        unsent.add(u);
      } else if (o instanceof Outcome.Suppressed x) {
        suppressed.add(x);
      } else if (o instanceof Outcome.Sent x) {
        sent.add(x);
      } else if (o instanceof Outcome.Failed f) {
        (f.retried() ? retry : dead).add(f);
      }
    }
    List<Outcome.Sent> sentApplied = deleteOutbox(sent);
    List<Outcome.Failed> deadApplied = deleteOutbox(dead);
    List<Outcome.Suppressed> suppressedApplied = deleteOutbox(suppressed);
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
              ps.setObject(1, ts(f.retryAt()));
              ps.setInt(2, f.charged() ? 0 : 1);
              ps.setObject(3, f.claim().messageId());
              ps.setObject(4, f.claim().claimToken());
            },
            Outcome::claim);

    String sentStatus = SENDING.moveTo(SENT);
    jdbc.batchUpdate(
        """
        UPDATE message SET status = ?, sent_at = ?, updated_at = ?, smtp_reply = ?,
                           refused_recipients = ?
         WHERE id = ?
        """,
        sentApplied,
        Math.max(1, sentApplied.size()),
        (ps, x) -> {
          ps.setString(1, sentStatus);
          ps.setObject(2, ts(x.at()));
          ps.setObject(3, ts(now));
          ps.setString(4, truncate(x.reply(), 512));
          ps.setBytes(5, x.refusedRecipients());
          ps.setObject(6, x.claim().messageId());
        });
    List<Outcome.Failed> failed = new ArrayList<>(retryApplied);
    failed.addAll(deadApplied);
    String retried = SENDING.moveTo(QUEUED);
    String deadLettered = SENDING.moveTo(FAILED);
    jdbc.batchUpdate(
        """
        UPDATE message SET status = ?, last_error_class = ?, last_error_code = ?, updated_at = ?,
                           attempts = attempts - ?
         WHERE id = ?
        """,
        failed,
        Math.max(1, failed.size()),
        (ps, f) -> {
          ps.setString(1, f.retried() ? retried : deadLettered);
          ps.setString(2, f.classification().name());
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
          ps.setString(3, f.classification().name());
          ps.setObject(4, f.replyCode());
          ps.setString(5, truncate(f.text(), 512));
          ps.setObject(6, ts(f.at()));
        });
    List<Event> events = new ArrayList<>(sentApplied.size() + failed.size());
    for (Outcome.Sent x : sentApplied) {
      events.add(
          new Event(
              x.claim().messageId(),
              EventType.SENT,
              x.claim().attempt(),
              replyCode(x.reply()),
              null,
              null,
              x.suppressed() == 0 ? null : x.suppressed(),
              x.at()));
    }
    String suppressedStatus = SENDING.moveTo(SUPPRESSED);
    // Not attempted: the attempt the claim counted is given back.
    jdbc.batchUpdate(
        "UPDATE message SET status = ?, attempts = attempts - 1, updated_at = ? WHERE id = ?",
        suppressedApplied,
        Math.max(1, suppressedApplied.size()),
        (ps, x) -> {
          ps.setString(1, suppressedStatus);
          ps.setObject(2, ts(now));
          ps.setObject(3, x.claim().messageId());
        });
    for (Outcome.Suppressed x : suppressedApplied) {
      events.add(
          new Event(
              x.claim().messageId(),
              EventType.SUPPRESSED,
              null,
              null,
              null,
              null,
              x.suppressed(),
              x.at()));
    }
    for (Outcome.Failed f : failed) {
      events.add(
          new Event(
              f.claim().messageId(),
              f.retried() ? EventType.DEFERRED : EventType.FAILED,
              f.claim().attempt(),
              f.replyCode(),
              f.classification(),
              f.retryAt(),
              null,
              f.at()));
    }
    writeEvents(events);
    for (Outcome.Failed f : deadApplied) {
      log.warn(
          "event=dead_letter message_id={} attempt={} class={} code={} reason=\"{}\"",
          f.claim().messageId(),
          f.claim().attempt(),
          f.classification(),
          f.replyCode(),
          f.deadReason());
    }
    int applied =
        sentApplied.size()
            + deadApplied.size()
            + retryApplied.size()
            + suppressedApplied.size()
            + release(unsent, now);
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
      Function<T, Claim> claimOf) {
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

  /**
   * Unsent claims back to the queue, due when they say (now if they do not), with the attempt their
   * claim counted given back.
   */
  private int release(List<Outcome.Unsent> unsent, Instant now) {
    if (unsent.isEmpty()) {
      return 0;
    }
    List<Claim> released =
        cas(
                unsent,
                """
                UPDATE outbox SET claim_token = NULL, claimed_by = NULL, lease_until = NULL,
                                  attempts = attempts - 1, next_attempt_at = ?
                 WHERE message_id = ? AND claim_token = ?
                """,
                (ps, u) -> {
                  ps.setObject(1, ts(u.dueAt() == null ? now : u.dueAt()));
                  ps.setObject(2, u.claim().messageId());
                  ps.setObject(3, u.claim().claimToken());
                },
                Outcome::claim)
            .stream()
            .map(Outcome::claim)
            .toList();
    String queued = SENDING.moveTo(QUEUED);
    jdbc.batchUpdate(
        "UPDATE message SET status = ?, attempts = attempts - 1, updated_at = ? WHERE id = ?",
        released,
        Math.max(1, released.size()),
        (ps, c) -> {
          ps.setString(1, queued);
          ps.setObject(2, ts(now));
          ps.setObject(3, c.messageId());
        });
    return released.size();
  }

  // ---- Kafka hand-off -----------------------------------------------------------------------

  /** A record the Kafka relay published: which row, under which claim. */
  public record Handoff(UUID messageId, UUID claimToken) {}

  /**
   * Extends the leases of claimed rows the relay has published (the broker acknowledged them) to
   * {@code lease} from now, in one batched statement. A row handed off stays SENDING under its
   * claim token until a sender records its result, or the lease ends and the reaper returns it. A
   * row whose token has changed meanwhile is left alone. Returns how many leases were extended.
   */
  public int handOff(List<Handoff> published, Duration lease) {
    if (published.isEmpty()) {
      return 0;
    }
    Instant until = clock.instant().plus(lease);
    // A claim stamps one token on all its rows, so a published batch is one statement per claim.
    java.util.Map<UUID, List<UUID>> byToken = new java.util.LinkedHashMap<>();
    for (Handoff h : published) {
      byToken.computeIfAbsent(h.claimToken(), t -> new ArrayList<>()).add(h.messageId());
    }
    return watched(
        () -> {
          int n = 0;
          for (java.util.Map.Entry<UUID, List<UUID>> e : byToken.entrySet()) {
            List<Object> args = new ArrayList<>(e.getValue().size() + 2);
            args.add(ts(until));
            args.add(e.getKey());
            args.addAll(e.getValue());
            n +=
                jdbc.update(
                    "UPDATE outbox SET lease_until = ? WHERE claim_token = ? AND message_id IN (%s)"
                        .formatted(placeholders(e.getValue().size())),
                    args.toArray());
          }
          return n;
        });
  }

  /**
   * The claims behind published {@code records} that are still theirs to send, read with their
   * content in one statement: those whose outbox row still holds the record's claim token. The rest
   * are not returned: already recorded (SENT, FAILED, back in the queue for a retry), cancelled, or
   * reaped and claimed again under a newer token. Lease ends are read from the stored lease, on
   * this JVM's {@link System#nanoTime()} scale.
   */
  public List<Claim> stillClaimed(List<Handoff> records) {
    if (records.isEmpty()) {
      return List.of();
    }
    java.util.Map<UUID, UUID> wanted = new java.util.HashMap<>();
    for (Handoff h : records) {
      wanted.put(h.messageId(), h.claimToken());
    }
    List<UUID> ids = new ArrayList<>(wanted.keySet());
    List<Claim> found =
        watched(
            () -> {
              List<Claim> rows =
                  jdbc.query(
                      """
                      SELECT o.message_id, o.claim_token, o.attempts, o.lease_until, m.created_at,
                             m.content, m.delivery_rule, m.test_mode, m.client_id
                        FROM outbox o JOIN message m ON m.id = o.message_id
                       WHERE o.claim_token IS NOT NULL AND o.message_id IN (%s)
                      """
                          .formatted(placeholders(ids.size())),
                      (rs, n) -> {
                        Instant leaseUntil = instant(rs, "lease_until");
                        long left = Duration.between(clock.instant(), leaseUntil).toNanos();
                        return new Claim(
                            rs.getObject("message_id", UUID.class),
                            rs.getObject("claim_token", UUID.class),
                            rs.getInt("attempts"),
                            instant(rs, "created_at"),
                            rs.getBytes("content"),
                            System.nanoTime() + left,
                            rs.getString("delivery_rule"),
                            mode(rs),
                            rs.getString("client_id"));
                      },
                      ids.toArray());
              return rows;
            });
    List<Claim> still = new ArrayList<>(found.size());
    for (Claim c : found) {
      if (c.claimToken().equals(wanted.get(c.messageId()))) {
        still.add(c);
      }
    }
    return still;
  }

  // ---- reap ---------------------------------------------------------------------------------

  /**
   * Rows whose lease has expired, as claims that can be recorded as failed attempts. A crash (or a
   * stall longer than the lease) is the only way a row gets here.
   */
  public List<Claim> expiredLeases(int limit) {
    return watched(
        () ->
            jdbc.query(
                """
                SELECT o.message_id, o.claim_token, o.attempts, m.created_at, m.client_id
                  FROM outbox o JOIN message m ON m.id = o.message_id
                 WHERE o.claim_token IS NOT NULL AND o.lease_until < ?
                 ORDER BY o.lease_until
                 LIMIT ?
                """,
                (rs, n) ->
                    new Claim(
                        rs.getObject("message_id", UUID.class),
                        rs.getObject("claim_token", UUID.class),
                        rs.getInt("attempts"),
                        instant(rs, "created_at"),
                        null,
                        0,
                        null,
                        DeliveryMode.LIVE,
                        rs.getString("client_id")),
                ts(clock.instant()),
                limit));
  }

  // ---- cancel, re-drive, resolve ------------------------------------------------------------

  /**
   * QUEUED → CANCELLED for a message that no dispatcher holds, of {@code clientId} (any client when
   * null), in one transaction. False, changing nothing, when it is not such a message. The outbox
   * row is deleted first, so its row lock is taken in the same order as the claim statement takes
   * it: a claim skips the row being cancelled, and the two never deadlock.
   */
  public boolean cancel(UUID id, String clientId, Instant now) {
    String cancelled = QUEUED.moveTo(CANCELLED);
    return Boolean.TRUE.equals(
        tx.execute(
            s -> {
              boolean dequeued =
                  jdbc.update(
                          "DELETE FROM outbox WHERE message_id = ? AND claim_token IS NULL"
                              + " AND message_id IN (SELECT id FROM message"
                              + " WHERE id = ? AND status = ?"
                              + (clientId == null ? "" : " AND client_id = ?")
                              + ")",
                          clientId == null
                              ? new Object[] {id, id, QUEUED.name()}
                              : new Object[] {id, id, QUEUED.name(), clientId})
                      == 1;
              if (!dequeued) {
                return false;
              }
              int n =
                  jdbc.update(
                      "UPDATE message SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
                      cancelled,
                      ts(now),
                      id,
                      QUEUED.name());
              if (n != 1) {
                // An unclaimed outbox row always belongs to a QUEUED message; never commit half.
                throw new IllegalStateException("outbox row without a QUEUED message: " + id);
              }
              writeEvents(List.of(Event.of(id, EventType.CANCELLED, now)));
              return true;
            }));
  }

  /**
   * FAILED → QUEUED for those of {@code ids} that are FAILED now (and unresolved, unless {@code
   * includeResolved}), each with a fresh outbox row due at {@code now} and an attempt budget of 0,
   * in one transaction; returns how many moved. The UPDATE takes the row locks first, so a
   * concurrent re-drive of the same ids waits, then finds them QUEUED and moves none of them: no
   * message gets two outbox rows.
   */
  public int redrive(List<UUID> ids, boolean includeResolved, Instant now) {
    if (ids.isEmpty()) {
      return 0;
    }
    String queued = FAILED.moveTo(QUEUED);
    Integer moved = tx.execute(s -> redriveInTx(ids, includeResolved, now, queued));
    return moved == null ? 0 : moved;
  }

  private int redriveInTx(List<UUID> ids, boolean includeResolved, Instant now, String queued) {
    String in = placeholders(ids.size());
    List<Object> lockArgs = new ArrayList<>();
    lockArgs.add(FAILED.name());
    lockArgs.addAll(ids);
    List<UUID> failed =
        jdbc.queryForList(
            "SELECT id FROM message WHERE status = ? AND id IN ("
                + in
                + ")"
                + (includeResolved ? "" : " AND resolved_at IS NULL")
                + " FOR UPDATE",
            UUID.class,
            lockArgs.toArray());
    if (failed.isEmpty()) {
      return 0;
    }
    List<Object> args = new ArrayList<>();
    args.add(queued);
    args.add(ts(now));
    args.add(FAILED.name());
    args.addAll(ids);
    int moved =
        jdbc.update(
            "UPDATE message SET status = ?, attempts = 0, updated_at = ?,"
                + " resolved_by = NULL, resolved_at = NULL, resolution = NULL"
                + " WHERE status = ? AND id IN ("
                + in
                + ")"
                + (includeResolved ? "" : " AND resolved_at IS NULL"),
            args.toArray());
    if (moved == 0) {
      return 0;
    }
    // A QUEUED message always has an outbox row, so the ones without one are exactly those moved.
    List<Object> insertArgs = new ArrayList<>();
    insertArgs.add(ts(now));
    insertArgs.add(queued);
    insertArgs.addAll(ids);
    int inserted =
        jdbc.update(
            "INSERT INTO outbox (message_id, next_attempt_at, attempts, priority, delivery_rule,"
                + " client_id)"
                + " SELECT id, ?, 0, priority, delivery_rule, client_id FROM message"
                + " WHERE status = ? AND id IN ("
                + in
                + ") AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.message_id = message.id)",
            insertArgs.toArray());
    if (inserted != moved) {
      throw new IllegalStateException(
          "re-drive moved " + moved + " messages but queued " + inserted + "; rolled back");
    }
    if (moved != failed.size()) {
      throw new IllegalStateException(
          "re-drive locked "
              + failed.size()
              + " dead letters but moved "
              + moved
              + "; rolled back");
    }
    writeEvents(failed.stream().map(id -> Event.of(id, EventType.REDRIVEN, now)).toList());
    return moved;
  }

  /**
   * Marks an unresolved FAILED message and its unresolved failures resolved (the status stays
   * FAILED), in one transaction. False, changing nothing, if it is not an unresolved dead letter.
   */
  public boolean resolve(UUID id, String by, String reason, Instant now) {
    return Boolean.TRUE.equals(
        tx.execute(
            s -> {
              int n =
                  jdbc.update(
                      "UPDATE message SET resolved_by = ?, resolved_at = ?, resolution = ?"
                          + " WHERE id = ? AND status = ? AND resolved_at IS NULL",
                      by,
                      ts(now),
                      reason,
                      id,
                      FAILED.name());
              if (n == 0) {
                return false;
              }
              jdbc.update(
                  "UPDATE send_failure SET resolved_by = ?, resolved_at = ?"
                      + " WHERE message_id = ? AND resolved_at IS NULL",
                  by,
                  ts(now),
                  id);
              return true;
            }));
  }

  // ---- content: retention and re-sealing ----------------------------------------------------

  /**
   * Replaces the content of up to {@code limit} SENT (or BOUNCED) messages sent before {@code
   * cutoff} (and, within the same limit, of SUPPRESSED messages last changed before it) with {@code
   * marker}, and forgets their refused recipients and blind-index digests; the status and metadata
   * columns stay. One statement per status, each its own transaction; returns how many rows
   * changed.
   */
  public int dropContent(Instant cutoff, byte[] marker, Instant now, int limit) {
    int done = 0;
    for (MessageStatus status : List.of(SENT, BOUNCED, SUPPRESSED)) {
      if (done >= limit) {
        break;
      }
      done +=
          dropContent(
              status,
              status == SUPPRESSED ? "updated_at" : "sent_at",
              cutoff,
              marker,
              now,
              limit - done);
    }
    return done;
  }

  private int dropContent(
      MessageStatus status, String since, Instant cutoff, byte[] marker, Instant now, int limit) {
    return jdbc.update(
        """
        UPDATE message SET content = ?, refused_recipients = NULL, recipient_digests = NULL,
                   content_dropped_at = ?
         WHERE id IN (SELECT id FROM message
                       WHERE status = ? AND %1$s < ? AND content_dropped_at IS NULL
                       ORDER BY %1$s LIMIT ?)
        """
            .formatted(since),
        marker,
        ts(now),
        status.name(),
        ts(cutoff),
        limit);
  }

  /**
   * Replaces a message's sealed content and refused-recipients list (and its digests, unless null),
   * only if both are still {@code expectedContent} and {@code expectedRefused}: a compare-and-set,
   * so a concurrent change is never overwritten. True if it was written.
   */
  public boolean reseal(
      UUID id,
      byte[] expectedContent,
      byte[] expectedRefused,
      byte[] content,
      byte[] refused,
      String[] digests) {
    List<Object> args = new ArrayList<>();
    StringBuilder sql = new StringBuilder("UPDATE message SET content = ?, refused_recipients = ?");
    args.add(content);
    args.add(refused);
    if (digests != null) {
      sql.append(", recipient_digests = ?");
      args.add(digests);
    }
    sql.append(" WHERE id = ? AND content = ? AND ");
    args.add(id);
    args.add(expectedContent);
    if (expectedRefused == null) {
      sql.append("refused_recipients IS NULL");
    } else {
      sql.append("refused_recipients = ?");
      args.add(expectedRefused);
    }
    return jdbc.update(sql.toString(), args.toArray()) == 1;
  }

  /** A message's id and sealed content. */
  public record Sealed(UUID id, byte[] content) {}

  /** The newest message whose content is still stored, if any (ids are time-ordered). */
  public java.util.Optional<Sealed> newestSealed() {
    return jdbc
        .query(
            "SELECT id, content FROM message WHERE content_dropped_at IS NULL"
                + " ORDER BY id DESC LIMIT 1",
            (rs, n) -> new Sealed(rs.getObject("id", UUID.class), rs.getBytes("content")))
        .stream()
        .findFirst();
  }

  // ---- bounces and complaints --------------------------------------------------------------

  /**
   * What a report about a sent message is matched against: its owner, its status and the
   * blind-index digests of its recipients.
   *
   * @param recipientDigests the digests stored at intake (addresses first, then domains), empty
   *     once retention dropped them
   */
  public record BounceTarget(
      UUID messageId,
      String clientId,
      MessageStatus status,
      int recipientCount,
      List<String> recipientDigests) {

    /** Whether {@code digest} is the digest of one of the message's recipients. */
    public boolean hasRecipient(String digest) {
      return digest != null && recipientDigests.contains(digest);
    }

    /** The digest of the message's only recipient, or null (several, or digests dropped). */
    public String onlyRecipient() {
      return recipientCount == 1 && !recipientDigests.isEmpty() ? recipientDigests.get(0) : null;
    }
  }

  /** The message {@code id} as a bounce is matched against it, if it exists. */
  public java.util.Optional<BounceTarget> bounceTarget(UUID id) {
    return jdbc
        .query(
            "SELECT id, client_id, status, recipient_count, recipient_digests FROM message"
                + " WHERE id = ?",
            (rs, n) -> {
              java.sql.Array digests = rs.getArray("recipient_digests");
              List<String> list = new ArrayList<>();
              if (digests != null) {
                for (Object d : (Object[]) digests.getArray()) {
                  list.add((String) d);
                }
              }
              return new BounceTarget(
                  rs.getObject("id", UUID.class),
                  rs.getString("client_id"),
                  MessageStatus.valueOf(rs.getString("status")),
                  rs.getInt("recipient_count"),
                  List.copyOf(list));
            },
            id)
        .stream()
        .findFirst();
  }

  /** What {@link #recordBounce} did. */
  public enum BounceRecorded {
    /**
     * The bounce row and its event were written (and a hard bounce made a SENT message BOUNCED).
     */
    RECORDED,
    /** The same report about the same recipient was recorded before: nothing was written. */
    DUPLICATE,
    /** No such message. */
    NO_MESSAGE
  }

  /**
   * Records a bounce or complaint about a sent message: its {@code bounce} row and its event
   * ({@code message.bounced} with {@code hard}/{@code soft}, or {@code message.complained}), and
   * for a hard bounce of a SENT message the move SENT → BOUNCED, all in one transaction (the
   * caller's, if it has one). A soft bounce or complaint leaves the status as it is; so does a hard
   * bounce of a message that is not SENT (already BOUNCED by another recipient's report). The
   * message row is locked first, so reports about one message are recorded one after the other, and
   * the same report (same kind, recipient, status code and feedback type) delivered again is a
   * {@link BounceRecorded#DUPLICATE} that writes nothing.
   */
  public BounceRecorded recordBounce(Bounce b) {
    return tx.execute(s -> recordBounceInTx(b));
  }

  private BounceRecorded recordBounceInTx(Bounce b) {
    List<String> status =
        jdbc.queryForList(
            "SELECT status FROM message WHERE id = ? FOR UPDATE", String.class, b.messageId());
    if (status.isEmpty()) {
      return BounceRecorded.NO_MESSAGE;
    }
    Integer seen =
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM bounce WHERE message_id = ? AND kind = ?"
                + " AND COALESCE(recipient_digest, '') = ? AND COALESCE(status_code, '') = ?"
                + " AND COALESCE(feedback_type, '') = ?",
            Integer.class,
            b.messageId(),
            b.kind().name(),
            orEmpty(b.recipientDigest()),
            orEmpty(b.statusCode()),
            orEmpty(b.feedbackType()));
    if (seen != null && seen > 0) {
      return BounceRecorded.DUPLICATE;
    }
    jdbc.update(
        """
        INSERT INTO bounce (id, message_id, client_id, kind, status_code, feedback_type,
                            diagnostic, recipient_digest, suppressed, received_at)
        SELECT ?, id, client_id, ?, ?, ?, ?, ?, ?, ? FROM message WHERE id = ?
        """,
        Uuid7.next(),
        b.kind().name(),
        truncate(b.statusCode(), 16),
        truncate(b.feedbackType(), 32),
        truncate(b.diagnostic(), 512),
        b.recipientDigest(),
        b.suppresses(),
        ts(b.receivedAt()),
        b.messageId());
    if (b.kind() == BounceKind.HARD && SENT.name().equals(status.get(0))) {
      jdbc.update(
          "UPDATE message SET status = ?, updated_at = ? WHERE id = ? AND status = ?",
          SENT.moveTo(BOUNCED),
          ts(clock.instant()),
          b.messageId(),
          SENT.name());
    }
    boolean complaint = b.kind() == BounceKind.COMPLAINT;
    writeEvents(
        List.of(
            new Event(
                b.messageId(),
                complaint ? EventType.COMPLAINED : EventType.BOUNCED,
                null,
                null,
                null,
                null,
                null,
                b.receivedAt(),
                complaint ? null : b.kind().wireName(),
                truncate(b.statusCode(), 16),
                truncate(b.feedbackType(), 32))));
    return BounceRecorded.RECORDED;
  }

  private static String orEmpty(String s) {
    return s == null ? "" : s;
  }

  /**
   * Up to {@code limit} bounces that {@code q} matches, newest first (by {@code received_at}, then
   * id), starting strictly after ({@code afterReceivedAt}, {@code afterId}) when given: keyset
   * paging, so pages neither repeat nor skip a row while reports keep arriving. A client's listing
   * is served by the index {@code bounce_client_received}. The recipient digest is read only as
   * "present or not", to tell whether the bounce suppressed its recipient; it never leaves this
   * method.
   */
  public List<RecordedBounce> bounces(
      BounceQuery q, Instant afterReceivedAt, UUID afterId, int limit) {
    StringBuilder sql =
        new StringBuilder(
            "SELECT id, message_id, client_id, kind, status_code, feedback_type, diagnostic,"
                + " received_at, suppressed FROM bounce"
                + " WHERE 1 = 1");
    List<Object> args = new ArrayList<>();
    if (q.clientId() != null) {
      sql.append(" AND client_id = ?");
      args.add(q.clientId());
    }
    if (q.since() != null) {
      sql.append(" AND received_at >= ?");
      args.add(ts(q.since()));
    }
    if (q.until() != null) {
      sql.append(" AND received_at < ?");
      args.add(ts(q.until()));
    }
    if (q.kind() != null) {
      sql.append(" AND kind = ?");
      args.add(q.kind().name());
    }
    if (q.messageId() != null) {
      sql.append(" AND message_id = ?");
      args.add(q.messageId());
    }
    if (afterReceivedAt != null && afterId != null) {
      sql.append(" AND (received_at < ? OR (received_at = ? AND id < ?))");
      args.add(ts(afterReceivedAt));
      args.add(ts(afterReceivedAt));
      args.add(afterId);
    }
    sql.append(" ORDER BY received_at DESC, id DESC LIMIT ?");
    args.add(limit);
    return jdbc.query(
        sql.toString(),
        (rs, n) -> {
          BounceKind kind = BounceKind.valueOf(rs.getString("kind"));
          return new RecordedBounce(
              rs.getObject("id", UUID.class),
              rs.getObject("message_id", UUID.class),
              rs.getString("client_id"),
              kind,
              rs.getString("status_code"),
              rs.getString("feedback_type"),
              rs.getString("diagnostic"),
              instant(rs, "received_at"),
              rs.getBoolean("suppressed"));
        },
        args.toArray());
  }

  // ---- events -------------------------------------------------------------------------------

  private static final String INSERT_EVENT =
      """
      INSERT INTO message_event (id, message_id, client_id, type, status, attempt, reply_code,
                                 failure_class, next_attempt_at, suppressed, occurred_at,
                                 test_mode, bounce_type, status_code, feedback_type)
      SELECT ?, id, client_id, ?, status, ?, ?, ?, ?, ?, ?, test_mode, ?, ?, ?
        FROM message WHERE id = ?
      """;

  /** An event about to be written with the change that causes it (the status is read back). */
  private record Event(
      UUID messageId,
      EventType type,
      Integer attempt,
      Integer replyCode,
      FailureClass failureClass,
      Instant nextAttemptAt,
      Integer suppressed,
      Instant at,
      String bounceType,
      String statusCode,
      String feedbackType) {

    Event(
        UUID messageId,
        EventType type,
        Integer attempt,
        Integer replyCode,
        FailureClass failureClass,
        Instant nextAttemptAt,
        Integer suppressed,
        Instant at) {
      this(
          messageId,
          type,
          attempt,
          replyCode,
          failureClass,
          nextAttemptAt,
          suppressed,
          at,
          null,
          null,
          null);
    }

    static Event of(UUID messageId, EventType type, Instant at) {
      return new Event(messageId, type, null, null, null, null, null, at);
    }
  }

  /**
   * Writes events and their event-outbox rows in the caller's transaction, after the changes they
   * describe: each takes the message's client and its status as the change left it.
   */
  private void writeEvents(List<Event> events) {
    if (events.isEmpty()) {
      return;
    }
    List<UUID> ids = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      ids.add(Uuid7.next());
    }
    List<Integer> index = new ArrayList<>(events.size());
    for (int i = 0; i < events.size(); i++) {
      index.add(i);
    }
    jdbc.batchUpdate(
        INSERT_EVENT,
        index,
        index.size(),
        (ps, i) -> {
          Event e = events.get(i);
          ps.setObject(1, ids.get(i));
          ps.setString(2, e.type().wireName());
          ps.setObject(3, e.attempt());
          ps.setObject(4, e.replyCode());
          ps.setString(5, e.failureClass() == null ? null : e.failureClass().name());
          ps.setObject(6, ts(e.nextAttemptAt()));
          ps.setObject(7, e.suppressed());
          ps.setObject(8, ts(e.at()));
          ps.setString(9, e.bounceType());
          ps.setString(10, e.statusCode());
          ps.setString(11, e.feedbackType());
          ps.setObject(12, e.messageId());
        });
    jdbc.batchUpdate(
        "INSERT INTO event_outbox (event_id) VALUES (?)",
        ids,
        ids.size(),
        (ps, id) -> ps.setObject(1, id));
  }

  /** The reply code at the start of an SMTP reply ("250 2.0.0 Ok" → 250), or null. */
  static Integer replyCode(String reply) {
    if (reply == null || reply.length() < 3) {
      return null;
    }
    for (int i = 0; i < 3; i++) {
      if (!Character.isDigit(reply.charAt(i))) {
        return null;
      }
    }
    return Integer.parseInt(reply.substring(0, 3));
  }

  /**
   * Events with their message's tags and metadata, read by joining the message row (written once at
   * intake and never changed), so writing an event copies neither.
   */
  private static final String SELECT_EVENT =
      """
      SELECT e.seq, e.id, e.message_id, e.client_id, e.type, e.status, e.attempt, e.reply_code,
             e.failure_class, e.next_attempt_at, e.suppressed, e.occurred_at, e.test_mode,
             e.bounce_type, e.status_code, e.feedback_type, m.tags, m.metadata
        FROM message_event e JOIN message m ON m.id = e.message_id
      """;

  private static MessageEvent event(java.sql.ResultSet rs, int n) throws java.sql.SQLException {
    String failureClass = rs.getString("failure_class");
    return new MessageEvent(
        rs.getLong("seq"),
        rs.getObject("id", UUID.class),
        rs.getObject("message_id", UUID.class),
        rs.getString("client_id"),
        EventType.ofWireName(rs.getString("type")),
        MessageStatus.valueOf(rs.getString("status")),
        (Integer) rs.getObject("attempt"),
        (Integer) rs.getObject("reply_code"),
        failureClass == null ? null : FailureClass.valueOf(failureClass),
        instant(rs, "next_attempt_at"),
        (Integer) rs.getObject("suppressed"),
        instant(rs, "occurred_at"),
        mode(rs),
        rs.getString("bounce_type"),
        rs.getString("status_code"),
        rs.getString("feedback_type"),
        tags(rs.getArray("tags")),
        rs.getString("metadata"));
  }

  /** Stored {@code name:value} tags as a map in name order (empty when none). */
  private static java.util.Map<String, String> tags(java.sql.Array array)
      throws java.sql.SQLException {
    if (array == null) {
      return java.util.Map.of();
    }
    java.util.Map<String, String> tags = new java.util.TreeMap<>();
    for (Object v : (Object[]) array.getArray()) {
      String t = String.valueOf(v);
      int colon = t.indexOf(':');
      tags.put(t.substring(0, colon), t.substring(colon + 1));
    }
    return java.util.Collections.unmodifiableMap(tags);
  }

  /** A message's events, oldest first. */
  public List<MessageEvent> events(UUID messageId) {
    return jdbc.query(
        SELECT_EVENT + " WHERE e.message_id = ? ORDER BY e.seq", Ledger::event, messageId);
  }

  /** Events by id, in their order. */
  public List<MessageEvent> events(List<UUID> ids) {
    if (ids.isEmpty()) {
      return List.of();
    }
    return jdbc.query(
        SELECT_EVENT + " WHERE e.id IN (" + placeholders(ids.size()) + ") ORDER BY e.seq",
        Ledger::event,
        ids.toArray());
  }

  /**
   * The events of {@code clientId} that occurred in [{@code from}, {@code to}), oldest first, at
   * most {@code limit}.
   */
  public List<MessageEvent> events(String clientId, Instant from, Instant to, int limit) {
    return jdbc.query(
        SELECT_EVENT
            + " WHERE e.client_id = ? AND e.occurred_at >= ? AND e.occurred_at < ?"
            + " ORDER BY e.seq LIMIT ?",
        Ledger::event,
        clientId,
        ts(from),
        ts(to),
        limit);
  }

  /**
   * Hands up to {@code limit} not yet relayed events, oldest first, to {@code relay} and forgets
   * them, in one transaction: {@code relay} writes what it makes of them (webhook deliveries) in
   * the same transaction, so an event is relayed once or, if anything throws, not at all and
   * offered again. Relays are serialized across instances (the dialect's fleet lock), so a later
   * event of a message is never relayed before an earlier one. Returns how many were relayed.
   */
  public int relayEvents(int limit, java.util.function.Consumer<List<MessageEvent>> relay) {
    Integer n =
        tx.execute(
            s -> {
              if (!Boolean.TRUE.equals(
                  jdbc.queryForObject(dialect.tryFleetLock(), Boolean.class, "event_relay"))) {
                return 0;
              }
              List<UUID> ids =
                  jdbc.queryForList(
                      "SELECT o.event_id FROM event_outbox o"
                          + " JOIN message_event e ON e.id = o.event_id ORDER BY e.seq LIMIT ?",
                      UUID.class,
                      limit);
              if (ids.isEmpty()) {
                return 0;
              }
              relay.accept(events(ids));
              // One statement per chunk, not one per event.
              for (int from = 0; from < ids.size(); from += IN_LIST_CHUNK) {
                List<UUID> chunk = ids.subList(from, Math.min(ids.size(), from + IN_LIST_CHUNK));
                jdbc.update(
                    "DELETE FROM event_outbox WHERE event_id IN (%s)"
                        .formatted(placeholders(chunk.size())),
                    chunk.toArray());
              }
              return ids.size();
            });
    return n == null ? 0 : n;
  }

  /**
   * Deletes up to {@code limit} of the oldest events that occurred before {@code cutoff}, with what
   * hangs on them (their event-outbox row if never relayed, and their webhook deliveries, by the
   * tables' cascades); one statement, its own transaction. Returns how many events went.
   */
  public int purgeEvents(Instant cutoff, int limit) {
    return jdbc.update(
        """
        DELETE FROM message_event
         WHERE occurred_at < ?
           AND seq IN (SELECT seq FROM message_event WHERE occurred_at < ? ORDER BY seq LIMIT ?)
        """,
        ts(cutoff),
        ts(cutoff),
        limit);
  }

  /** At most this many values in one {@code IN (…)} list: under the databases' parameter limits. */
  private static final int IN_LIST_CHUNK = 1000;

  private static String placeholders(int n) {
    return String.join(",", Collections.nCopies(n, "?"));
  }

  private static String truncate(String s, int max) {
    return s == null || s.length() <= max ? s : s.substring(0, max);
  }
}
