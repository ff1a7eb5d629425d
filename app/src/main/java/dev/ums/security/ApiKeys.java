package dev.ums.security;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.ledger.DeliveryMode;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * API keys: {@code ums_} followed by 32 random URL-safe characters (192 bits). The database keeps
 * HMAC-SHA256(pepper, key) ({@link KeyPepper}): a key is random, so a slow password hash would add
 * nothing but latency, and without the pepper the table alone cannot confirm a guess. A key is
 * shown once, when it is created; what is listed, logged and audited is its label, {@code key_} and
 * the first 8 hex digits of its random id, never any part of the key.
 *
 * <p>Rows written before the pepper hold the plain SHA-256 of their key ({@code legacy_hash}). Such
 * a key keeps working: while any active legacy row is left, a look-up also tries the plain hash,
 * and the first successful use rewrites the row to the peppered hash.
 */
@Component
public class ApiKeys {

  private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);

  static final String PREFIX = "ums_";

  /** Key length bounds, {@code ums_} included. */
  static final int MIN_LENGTH = 32;

  static final int MAX_LENGTH = 256;

  private static final String HMAC = "HmacSHA256";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JdbcTemplate jdbc;
  private final Clock clock;
  private final SecretKeySpec pepper;
  private final long unknownTtlNanos;
  private final int unknownMax;

  /** Mac.getInstance looks the provider up on every call; one initialised Mac per thread. */
  private final ThreadLocal<Mac> mac = ThreadLocal.withInitial(this::newMac);

  /** Null until first asked: whether any active row still holds a plain SHA-256 hash. */
  private volatile Boolean legacyLeft;

  private final AtomicLong lookups = new AtomicLong();

  ApiKeys(JdbcTemplate jdbc, Clock clock, KeyPepper pepper, SecurityProperties security) {
    this.jdbc = jdbc;
    this.clock = clock;
    this.pepper = new SecretKeySpec(pepper.bytes(), HMAC);
    this.unknownTtlNanos = security.unknownKeyTtl().toNanos();
    this.unknownMax = security.unknownKeyCacheSize();
  }

  /**
   * A stored key, without its secret.
   *
   * @param mode {@code test}: its messages run the whole pipeline but never reach the relay
   */
  public record KeyInfo(
      UUID id,
      String clientId,
      String name,
      String label,
      Role role,
      DeliveryMode mode,
      Instant createdAt,
      Instant revokedAt) {}

  /** A key just created: {@code key} is the secret, shown this once. */
  public record NewKey(String key, KeyInfo info) {}

  /**
   * Whether {@code key} has the shape of a key: {@code ums_}, then 28 to 252 characters of the
   * URL-safe base64 alphabet (A-Z, a-z, 0-9, '-', '_'). Anything else is refused before it costs a
   * hash or a query.
   */
  static boolean wellFormed(String key) {
    if (key == null
        || key.length() < MIN_LENGTH
        || key.length() > MAX_LENGTH
        || !key.startsWith(PREFIX)) {
      return false;
    }
    for (int i = PREFIX.length(); i < key.length(); i++) {
      char c = key.charAt(i);
      boolean ok =
          (c >= 'A' && c <= 'Z')
              || (c >= 'a' && c <= 'z')
              || (c >= '0' && c <= '9')
              || c == '-'
              || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  /** How a key is named wherever it is shown: {@code key_} and the first 8 hex digits of its id. */
  static String label(UUID id) {
    return "key_" + id.toString().substring(0, 8);
  }

  /** A new live-mode key. */
  public NewKey create(String clientId, Role role, String name) {
    return create(clientId, role, name, DeliveryMode.LIVE);
  }

  /** A new key; a {@link DeliveryMode#TEST} key's messages never reach the relay. */
  public NewKey create(String clientId, Role role, String name, DeliveryMode mode) {
    byte[] secret = new byte[24];
    RANDOM.nextBytes(secret);
    return store(
        PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
        clientId,
        role,
        name,
        mode);
  }

  /** Stores a live-mode key whose value was chosen elsewhere (bootstrap). */
  NewKey store(String key, String clientId, Role role, String name) {
    return store(key, clientId, role, name, DeliveryMode.LIVE);
  }

  private NewKey store(String key, String clientId, Role role, String name, DeliveryMode mode) {
    if (!wellFormed(key)) {
      throw new IllegalArgumentException("not a well-formed API key");
    }
    UUID id = UUID.randomUUID();
    KeyInfo info = new KeyInfo(id, clientId, name, label(id), role, mode, clock.instant(), null);
    jdbc.update(
        """
        INSERT INTO api_key (id, client_id, name, label, key_hash, legacy_hash, role, mode,
                             created_at)
        VALUES (?, ?, ?, ?, ?, FALSE, ?, ?, ?)
        """,
        info.id(),
        clientId,
        name,
        info.label(),
        hash(key),
        role.name(),
        mode.wireName(),
        ts(info.createdAt()));
    return new NewKey(key, info);
  }

  /**
   * Verified keys are remembered for {@link #CACHE_NANOS} so intake does not pay a key look-up per
   * request. Revoking on this instance clears the cache at once; another instance may accept a
   * revoked key for at most that long.
   */
  static final long CACHE_NANOS = 5_000_000_000L;

  private static final int CACHE_MAX = 10_000;

  private record Cached(Caller caller, long untilNanos) {}

  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  /**
   * Hashes of keys recently found unknown, with when that answer expires: a flood of one bad key
   * costs one query per {@code ums.security.unknown-key-ttl}, not one per request.
   */
  private final Map<String, Long> unknown = new ConcurrentHashMap<>();

  /** The caller a presented key stands for, if it is well formed, exists and is not revoked. */
  Optional<Caller> authenticate(String key) {
    if (!wellFormed(key)) {
      return Optional.empty();
    }
    String hash = hash(key);
    long now = System.nanoTime();
    Cached c = cache.get(hash);
    if (c != null && now - c.untilNanos() < 0) {
      return Optional.of(c.caller());
    }
    Long unknownUntil = unknown.get(hash);
    if (unknownUntil != null) {
      if (now - unknownUntil < 0) {
        return Optional.empty();
      }
      unknown.remove(hash, unknownUntil);
    }
    Optional<Caller> found = lookup(key, hash);
    if (found.isPresent()) {
      if (cache.size() >= CACHE_MAX) {
        cache.clear();
      }
      cache.put(hash, new Cached(found.get(), now + CACHE_NANOS));
    } else {
      cache.remove(hash);
      rememberUnknown(hash, now);
    }
    return found;
  }

  private void rememberUnknown(String hash, long now) {
    if (unknownMax == 0) {
      return;
    }
    if (unknown.size() >= unknownMax) {
      unknown.values().removeIf(until -> now - until >= 0);
      if (unknown.size() >= unknownMax) {
        unknown.clear();
      }
    }
    unknown.put(hash, now + unknownTtlNanos);
  }

  private Optional<Caller> lookup(String key, String hash) {
    lookups.incrementAndGet();
    if (!legacyLeft()) {
      return jdbc
          .query(
              "SELECT id, client_id, label, role, mode FROM api_key"
                  + " WHERE key_hash = ? AND NOT legacy_hash AND revoked_at IS NULL",
              (rs, n) -> caller(rs),
              hash)
          .stream()
          .findFirst();
    }
    String legacy = legacyHash(key);
    record Row(Caller caller, boolean legacy) {}
    Optional<Row> row =
        jdbc
            .query(
                """
                SELECT id, client_id, label, role, mode, legacy_hash FROM api_key
                WHERE ((key_hash = ? AND NOT legacy_hash) OR (key_hash = ? AND legacy_hash))
                  AND revoked_at IS NULL
                """,
                (rs, n) -> new Row(caller(rs), rs.getBoolean("legacy_hash")),
                hash,
                legacy)
            .stream()
            .findFirst();
    row.filter(Row::legacy).ifPresent(r -> upgrade(r.caller().keyId(), legacy, hash));
    return row.map(Row::caller);
  }

  /** Replaces a row's plain SHA-256 with the peppered hash, once its key has been presented. */
  private void upgrade(UUID id, String legacy, String hash) {
    int n =
        jdbc.update(
            "UPDATE api_key SET key_hash = ?, legacy_hash = FALSE"
                + " WHERE id = ? AND key_hash = ? AND legacy_hash",
            hash,
            id,
            legacy);
    if (n == 1) {
      log.info("event=api_key_rehashed key={}", label(id));
    }
    legacyLeft = null; // count again on the next look-up
  }

  private boolean legacyLeft() {
    Boolean left = legacyLeft;
    if (left == null) {
      Integer n =
          jdbc.queryForObject(
              "SELECT COUNT(*) FROM api_key WHERE legacy_hash AND revoked_at IS NULL",
              Integer.class);
      left = n != null && n > 0;
      legacyLeft = left;
      if (left) {
        log.warn(
            "event=api_key_legacy_hashes count={} (plain SHA-256 from before the pepper; each is"
                + " re-hashed on its first use)",
            n);
      }
    }
    return left;
  }

  private static Caller caller(java.sql.ResultSet rs) throws java.sql.SQLException {
    return new Caller(
        rs.getString("client_id"),
        rs.getObject("id", UUID.class),
        rs.getString("label"),
        Role.valueOf(rs.getString("role")),
        mode(rs));
  }

  private static DeliveryMode mode(java.sql.ResultSet rs) throws java.sql.SQLException {
    DeliveryMode mode = DeliveryMode.ofWireName(rs.getString("mode"));
    if (mode == null) {
      throw new IllegalStateException("api_key.mode holds an unknown mode");
    }
    return mode;
  }

  /**
   * Whether {@code key} is stored at all, active or revoked (a revoked bootstrap key is not
   * re-created). A matching active legacy row is re-hashed on the way.
   */
  boolean exists(String key) {
    String hash = hash(key);
    String legacy = legacyHash(key);
    List<Map<String, Object>> rows =
        jdbc.queryForList(
            """
            SELECT id, legacy_hash, revoked_at FROM api_key
            WHERE (key_hash = ? AND NOT legacy_hash) OR (key_hash = ? AND legacy_hash)
            """,
            hash,
            legacy);
    for (Map<String, Object> r : rows) {
      if (Boolean.TRUE.equals(r.get("legacy_hash")) && r.get("revoked_at") == null) {
        upgrade((UUID) r.get("id"), legacy, hash);
      }
    }
    return !rows.isEmpty();
  }

  int count() {
    return jdbc.queryForObject("SELECT COUNT(*) FROM api_key", Integer.class);
  }

  /** Database look-ups made to authenticate keys since start (the caches spare the others). */
  long lookups() {
    return lookups.get();
  }

  public List<KeyInfo> list() {
    return jdbc.query(
        "SELECT id, client_id, name, label, role, mode, created_at, revoked_at FROM api_key"
            + " ORDER BY created_at, id",
        (rs, n) ->
            new KeyInfo(
                rs.getObject("id", UUID.class),
                rs.getString("client_id"),
                rs.getString("name"),
                rs.getString("label"),
                Role.valueOf(rs.getString("role")),
                mode(rs),
                instant(rs, "created_at"),
                instant(rs, "revoked_at")),
        new Object[0]);
  }

  /** Whether key {@code id} exists and is not revoked (read from the database, not the cache). */
  boolean active(UUID id) {
    Integer n =
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM api_key WHERE id = ? AND revoked_at IS NULL", Integer.class, id);
    return n != null && n > 0;
  }

  /** Revokes a key; takes effect on the next request. False if unknown or already revoked. */
  public boolean revoke(UUID id) {
    boolean done =
        jdbc.update(
                "UPDATE api_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL",
                ts(clock.instant()),
                id)
            == 1;
    cache.clear(); // after the update, so no concurrent look-up can re-cache the revoked key
    return done;
  }

  /** What is stored for a key: HMAC-SHA256(pepper, key), hex. */
  String hash(String key) {
    return HexFormat.of().formatHex(mac.get().doFinal(key.getBytes(StandardCharsets.UTF_8)));
  }

  /** What rows from before the pepper hold: the plain SHA-256 of the key, hex. */
  static String legacyHash(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private Mac newMac() {
    try {
      Mac m = Mac.getInstance(HMAC);
      m.init(pepper);
      return m;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }
}
