package dev.ums.security;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import java.nio.charset.StandardCharsets;
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
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * API keys: {@code ums_} followed by 32 random URL-safe characters (192 bits). Only the SHA-256 of
 * a key is stored — a key is random, so a slow password hash would add nothing but latency — with
 * its first 12 characters as a visible prefix. A key is shown once, when it is created.
 */
@Component
public class ApiKeys {

  static final String PREFIX = "ums_";
  static final int VISIBLE = 12;
  private static final SecureRandom RANDOM = new SecureRandom();

  private final JdbcTemplate jdbc;
  private final Clock clock;

  ApiKeys(JdbcTemplate jdbc, Clock clock) {
    this.jdbc = jdbc;
    this.clock = clock;
  }

  /** A stored key, without its secret. */
  public record KeyInfo(
      UUID id,
      String clientId,
      String name,
      String prefix,
      Role role,
      Instant createdAt,
      Instant revokedAt) {}

  /** A key just created: {@code key} is the secret, shown this once. */
  public record NewKey(String key, KeyInfo info) {}

  public NewKey create(String clientId, Role role, String name) {
    byte[] secret = new byte[24];
    RANDOM.nextBytes(secret);
    return store(
        PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret),
        clientId,
        role,
        name);
  }

  /** Stores a key whose value was chosen elsewhere (bootstrap). */
  NewKey store(String key, String clientId, Role role, String name) {
    KeyInfo info =
        new KeyInfo(
            UUID.randomUUID(),
            clientId,
            name,
            key.substring(0, Math.min(VISIBLE, key.length())),
            role,
            clock.instant(),
            null);
    jdbc.update(
        """
        INSERT INTO api_key (id, client_id, name, prefix, key_hash, role, created_at)
        VALUES (?, ?, ?, ?, ?, ?, ?)
        """,
        info.id(),
        clientId,
        name,
        info.prefix(),
        hash(key),
        role.name(),
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

  /** The caller a presented key stands for, if it exists and is not revoked. */
  Optional<Caller> authenticate(String key) {
    String hash = hash(key);
    Cached c = cache.get(hash);
    long now = System.nanoTime();
    if (c != null && now - c.untilNanos() < 0) {
      return Optional.of(c.caller());
    }
    Optional<Caller> found = lookup(hash);
    if (found.isPresent()) {
      if (cache.size() >= CACHE_MAX) {
        cache.clear();
      }
      cache.put(hash, new Cached(found.get(), now + CACHE_NANOS));
    } else {
      cache.remove(hash);
    }
    return found;
  }

  private Optional<Caller> lookup(String hash) {
    return jdbc
        .query(
            "SELECT id, client_id, prefix, role FROM api_key WHERE key_hash = ? AND revoked_at IS NULL",
            (rs, n) ->
                new Caller(
                    rs.getString("client_id"),
                    rs.getObject("id", UUID.class),
                    rs.getString("prefix"),
                    Role.valueOf(rs.getString("role"))),
            hash)
        .stream()
        .findFirst();
  }

  boolean exists(String key) {
    Integer n =
        jdbc.queryForObject(
            "SELECT COUNT(*) FROM api_key WHERE key_hash = ?", Integer.class, hash(key));
    return n != null && n > 0;
  }

  int count() {
    return jdbc.queryForObject("SELECT COUNT(*) FROM api_key", Integer.class);
  }

  public List<KeyInfo> list() {
    return jdbc.query(
        "SELECT id, client_id, name, prefix, role, created_at, revoked_at FROM api_key ORDER BY created_at, id",
        (rs, n) ->
            new KeyInfo(
                rs.getObject("id", UUID.class),
                rs.getString("client_id"),
                rs.getString("name"),
                rs.getString("prefix"),
                Role.valueOf(rs.getString("role")),
                instant(rs, "created_at"),
                instant(rs, "revoked_at")),
        new Object[0]);
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

  static String hash(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
