package dev.ums.webhook;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.ledger.MessageEvent;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Repository;

/** The only writer of {@code webhook_endpoint} and {@code webhook_delivery}. */
@Repository
class WebhookStore {

  /** Delivery states. */
  static final String PENDING = "PENDING";

  static final String DELIVERED = "DELIVERED";
  static final String FAILED = "FAILED";

  private static final String ALL = "*";

  private static final String ENDPOINT_COLUMNS =
      "id, client_id, url, event_types, created_at, disabled_at, disabled_reason, failing_since";

  private final JdbcTemplate jdbc;

  WebhookStore(JdbcTemplate jdbc) {
    this.jdbc = jdbc;
  }

  /** An endpoint with what the delivery loop needs. */
  record Target(WebhookEndpoint view, String clientId, byte[] sealedSecret) {}

  static String types(List<String> types) {
    return types == null || types.isEmpty() ? ALL : String.join(",", types);
  }

  private static List<String> types(String stored) {
    return ALL.equals(stored) ? List.of() : Arrays.asList(stored.split(","));
  }

  private static WebhookEndpoint endpoint(ResultSet rs) throws SQLException {
    return new WebhookEndpoint(
        rs.getObject("id", UUID.class),
        rs.getString("url"),
        types(rs.getString("event_types")),
        rs.getObject("disabled_at") == null,
        instant(rs, "created_at"),
        instant(rs, "disabled_at"),
        rs.getString("disabled_reason"),
        instant(rs, "failing_since"),
        null);
  }

  void create(
      UUID id, String clientId, String url, List<String> eventTypes, byte[] secret, Instant now) {
    jdbc.update(
        """
        INSERT INTO webhook_endpoint (id, client_id, url, event_types, secret, created_at,
                                      next_attempt_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        id,
        clientId,
        url,
        types(eventTypes),
        secret,
        ts(now),
        ts(now));
  }

  List<WebhookEndpoint> list(String clientId) {
    return jdbc.query(
        "SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoint WHERE client_id = ? ORDER BY id",
        (rs, n) -> endpoint(rs),
        clientId);
  }

  Optional<WebhookEndpoint> find(String clientId, UUID id) {
    return jdbc
        .query(
            "SELECT " + ENDPOINT_COLUMNS + " FROM webhook_endpoint WHERE id = ? AND client_id = ?",
            (rs, n) -> endpoint(rs),
            id,
            clientId)
        .stream()
        .findFirst();
  }

  Optional<Target> target(UUID id) {
    return jdbc
        .query(
            "SELECT " + ENDPOINT_COLUMNS + ", secret FROM webhook_endpoint WHERE id = ?",
            (rs, n) -> new Target(endpoint(rs), rs.getString("client_id"), rs.getBytes("secret")),
            id)
        .stream()
        .findFirst();
  }

  boolean delete(String clientId, UUID id) {
    return jdbc.update("DELETE FROM webhook_endpoint WHERE id = ? AND client_id = ?", id, clientId)
        == 1;
  }

  /** Puts a disabled endpoint back in service, due at once. */
  boolean enable(String clientId, UUID id, Instant now) {
    return jdbc.update(
            """
            UPDATE webhook_endpoint SET disabled_at = NULL, disabled_reason = NULL,
                   failing_since = NULL, next_attempt_at = ?
             WHERE id = ? AND client_id = ?
            """,
            ts(now),
            id,
            clientId)
        == 1;
  }

  /** Enabled endpoints, for fan-out: id, client and types. */
  record Subscription(UUID id, String clientId, List<String> types) {
    boolean wants(String type) {
      return types.isEmpty() || types.contains(type);
    }
  }

  List<Subscription> subscriptions() {
    return jdbc.query(
        "SELECT id, client_id, event_types FROM webhook_endpoint WHERE disabled_at IS NULL",
        (rs, n) ->
            new Subscription(
                rs.getObject("id", UUID.class),
                rs.getString("client_id"),
                types(rs.getString("event_types"))));
  }

  /** Queues deliveries of {@code events} to the endpoints that want them, in event order. */
  int fanOut(List<MessageEvent> events, List<Subscription> subs, Instant now) {
    List<Object[]> rows = new ArrayList<>();
    for (MessageEvent e : events) {
      for (Subscription s : subs) {
        if (s.clientId().equals(e.clientId()) && s.wants(e.type().wireName())) {
          rows.add(new Object[] {s.id(), e.id(), PENDING, false, ts(now)});
        }
      }
    }
    insertDeliveries(rows);
    return rows.size();
  }

  /** Queues a replay of {@code eventIds} to one endpoint. */
  int replay(UUID endpointId, List<UUID> eventIds, Instant now) {
    List<Object[]> rows = new ArrayList<>();
    for (UUID e : eventIds) {
      rows.add(new Object[] {endpointId, e, PENDING, true, ts(now)});
    }
    insertDeliveries(rows);
    return rows.size();
  }

  private void insertDeliveries(List<Object[]> rows) {
    if (!rows.isEmpty()) {
      jdbc.batchUpdate(
          """
          INSERT INTO webhook_delivery (endpoint_id, event_id, status, replay, created_at)
          VALUES (?, ?, ?, ?, ?)
          """,
          rows);
    }
  }

  /** Enabled endpoints with a delivery waiting, due now and held by no live lease. */
  List<UUID> due(Instant now, int limit) {
    return jdbc.queryForList(
        """
        SELECT e.id FROM webhook_endpoint e
         WHERE e.disabled_at IS NULL AND e.next_attempt_at <= ?
           AND (e.lease_until IS NULL OR e.lease_until < ?)
           AND EXISTS (SELECT 1 FROM webhook_delivery d
                        WHERE d.endpoint_id = e.id AND d.status = ?)
         ORDER BY e.next_attempt_at
         LIMIT ?
        """,
        UUID.class,
        ts(now),
        ts(now),
        PENDING,
        limit);
  }

  /** Takes the endpoint for {@code instance} until {@code until}; false if another holds it. */
  boolean claim(UUID id, String instance, Instant now, Instant until) {
    return jdbc.update(
            """
            UPDATE webhook_endpoint SET claimed_by = ?, lease_until = ?
             WHERE id = ? AND disabled_at IS NULL AND (lease_until IS NULL OR lease_until < ?)
            """,
            instance,
            ts(until),
            id,
            ts(now))
        == 1;
  }

  void release(UUID id, String instance) {
    jdbc.update(
        "UPDATE webhook_endpoint SET claimed_by = NULL, lease_until = NULL"
            + " WHERE id = ? AND claimed_by = ?",
        id,
        instance);
  }

  /** A delivery waiting to be sent, with its attempts so far. */
  record Pending(long id, UUID eventId, int attempts) {}

  List<Pending> pending(UUID endpointId, int limit) {
    return jdbc.query(
        """
        SELECT id, event_id, attempts FROM webhook_delivery
         WHERE endpoint_id = ? AND status = ? ORDER BY id LIMIT ?
        """,
        (rs, n) ->
            new Pending(
                rs.getLong("id"), rs.getObject("event_id", UUID.class), rs.getInt("attempts")),
        endpointId,
        PENDING,
        limit);
  }

  /** A successful attempt of delivery {@code id}: the receiver's status and when it answered. */
  record Delivered(long id, int status, Instant at) {}

  /** Marks deliveries DELIVERED in one batch (one round trip and commit). */
  void delivered(List<Delivered> done) {
    if (done.isEmpty()) {
      return;
    }
    jdbc.batchUpdate(
        """
        UPDATE webhook_delivery SET status = ?, attempts = attempts + 1, last_status = ?,
               last_error = NULL, last_attempt_at = ?, delivered_at = ?
         WHERE id = ?
        """,
        done,
        done.size(),
        (ps, d) -> {
          ps.setString(1, DELIVERED);
          ps.setInt(2, d.status());
          ps.setObject(3, ts(d.at()));
          ps.setObject(4, ts(d.at()));
          ps.setLong(5, d.id());
        });
  }

  /** A failed attempt; {@code giveUp}: the delivery is FAILED, else it stays PENDING. */
  void attemptFailed(long id, Integer status, String error, boolean giveUp, Instant now) {
    jdbc.update(
        """
        UPDATE webhook_delivery SET status = ?, attempts = attempts + 1, last_status = ?,
               last_error = ?, last_attempt_at = ?
         WHERE id = ?
        """,
        giveUp ? FAILED : PENDING,
        status,
        error,
        ts(now),
        id);
  }

  /** The endpoint answered: its failure run ends. */
  void healthy(UUID id) {
    jdbc.update(
        "UPDATE webhook_endpoint SET failing_since = NULL WHERE id = ? AND failing_since IS NOT NULL",
        id);
  }

  /**
   * The endpoint failed: next turn at {@code retryAt}; its failure run starts now unless one is
   * running. Returns when the run began.
   */
  Instant failing(UUID id, Instant retryAt, Instant now) {
    jdbc.update(
        """
        UPDATE webhook_endpoint SET next_attempt_at = ?,
               failing_since = COALESCE(failing_since, ?)
         WHERE id = ?
        """,
        ts(retryAt),
        ts(now),
        id);
    return jdbc
        .query(
            "SELECT failing_since FROM webhook_endpoint WHERE id = ?",
            (rs, n) -> instant(rs, "failing_since"),
            id)
        .stream()
        .findFirst()
        .orElse(now);
  }

  void disable(UUID id, String reason, Instant now) {
    jdbc.update(
        "UPDATE webhook_endpoint SET disabled_at = ?, disabled_reason = ? WHERE id = ?",
        ts(now),
        reason,
        id);
  }

  /**
   * Deletes up to {@code limit} of the oldest finished (DELIVERED or FAILED) deliveries created
   * before {@code cutoff}; PENDING ones stay. One statement. Returns how many went.
   */
  int purge(Instant cutoff, int limit) {
    return jdbc.update(
        """
        DELETE FROM webhook_delivery
         WHERE status <> ? AND created_at < ?
           AND id IN (SELECT id FROM webhook_delivery WHERE status <> ? AND created_at < ?
                       ORDER BY id LIMIT ?)
        """,
        PENDING,
        ts(cutoff),
        PENDING,
        ts(cutoff),
        limit);
  }

  /** The endpoint's delivery log, newest first. */
  List<WebhookDelivery> deliveries(UUID endpointId, int limit) {
    return jdbc.query(
        """
        SELECT d.id, d.event_id, e.message_id, e.type, d.status, d.attempts, d.last_status,
               d.last_error, d.replay, d.created_at, d.last_attempt_at, d.delivered_at
          FROM webhook_delivery d JOIN message_event e ON e.id = d.event_id
         WHERE d.endpoint_id = ? ORDER BY d.id DESC LIMIT ?
        """,
        (rs, n) -> delivery(rs),
        endpointId,
        limit);
  }

  /** Every delivery of one message's events, oldest first (the message timeline). */
  List<WebhookDelivery> deliveriesOfMessage(UUID messageId) {
    return jdbc.query(
        """
        SELECT d.id, d.event_id, e.message_id, e.type, d.status, d.attempts, d.last_status,
               d.last_error, d.replay, d.created_at, d.last_attempt_at, d.delivered_at
          FROM webhook_delivery d JOIN message_event e ON e.id = d.event_id
         WHERE e.message_id = ? ORDER BY d.id
        """,
        (rs, n) -> delivery(rs),
        messageId);
  }

  private static WebhookDelivery delivery(ResultSet rs) throws SQLException {
    return new WebhookDelivery(
        rs.getLong("id"),
        rs.getObject("event_id", UUID.class),
        rs.getObject("message_id", UUID.class),
        rs.getString("type"),
        rs.getString("status"),
        rs.getInt("attempts"),
        (Integer) rs.getObject("last_status"),
        rs.getString("last_error"),
        rs.getBoolean("replay"),
        instant(rs, "created_at"),
        instant(rs, "last_attempt_at"),
        instant(rs, "delivered_at"));
  }
}
