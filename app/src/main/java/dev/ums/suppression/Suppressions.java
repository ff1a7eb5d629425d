package dev.ums.suppression;

import static dev.ums.support.JdbcTime.instant;
import static dev.ums.support.JdbcTime.ts;

import dev.ums.security.RecipientIndex;
import dev.ums.support.Uuid7;
import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Service;

/**
 * The suppression list of each client, the only writer of the {@code suppression} table. An entry
 * is the blind-index digest of an address ({@link RecipientIndex#address}), never the address: an
 * address is digested as it arrives and forgotten. Intake asks which recipients of a new message
 * are suppressed, the dispatcher asks again just before sending (entries may have been added or
 * removed since) and adds an entry when a relay refuses an address permanently ({@link
 * HardBounce}).
 *
 * <p>An entry applies to its client only, from its creation until its expiry (if it has one) or its
 * removal; an expired entry is ignored by every check and listing and replaced when the address is
 * suppressed again. Adding an address already on the list replaces its reason and expiry and keeps
 * its id. Each call is one statement (or two, for an add that races another add of the same
 * address), in autocommit: there is nothing to roll back together.
 *
 * <p>After a change of the index key, entries stored under a previous key's digest ({@code
 * ums.crypto.previous-index-keys}) still apply: every look-up by address also asks for the
 * address's previous-key digests (in the same statement), and an entry found under one is re-keyed
 * to the current key's digest (a few more statements, once per entry). Should the address also have
 * an entry under the current digest, that one was written after the key change and wins, as a later
 * add wins in an upsert (unless it has expired: then the older entry takes its place). Without
 * previous keys every statement is as it would be without the feature.
 */
@Service
public class Suppressions {

  private static final Logger log = LoggerFactory.getLogger(Suppressions.class);

  /** Most entries one listing returns. */
  public static final int MAX_LIST = 1000;

  private static final int LOOKUP_CHUNK = 1000;

  private static final String COLUMNS = "id, client_id, reason, created_at, expires_at";

  private final JdbcTemplate jdbc;
  private final RecipientIndex index;
  private final Clock clock;

  Suppressions(JdbcTemplate jdbc, RecipientIndex index, Clock clock) {
    this.jdbc = jdbc;
    this.index = index;
    this.clock = clock;
  }

  /**
   * How long this instance trusts what it last learnt of whether a client has any entry before
   * asking again: a client without a list (the common case) costs one existence check per second
   * instead of one look-up per message, and a client with one costs its look-up alone. Adds on this
   * instance mark the client as having entries at once; the first entry of a client added on
   * another instance applies here within this time. (A client whose last entry went is looked up
   * until the next check: a wasted query, never a wrong answer.)
   */
  static final long EMPTY_FOR_NANOS = 1_000_000_000L;

  /** Whether a client had any entry when last checked, and until when that is trusted. */
  private record Known(boolean any, long untilNanos) {}

  private final Map<String, Known> known = new java.util.concurrent.ConcurrentHashMap<>();

  private boolean knownEmpty(String clientId) {
    Known k = known.get(clientId);
    long now = System.nanoTime();
    if (k != null && now - k.untilNanos() < 0) {
      return !k.any();
    }
    boolean any =
        Boolean.TRUE.equals(
            jdbc.queryForObject(
                "SELECT EXISTS (SELECT 1 FROM suppression WHERE client_id = ?)",
                Boolean.class,
                clientId));
    Known fresh = new Known(any, now + EMPTY_FOR_NANOS);
    // An add on this instance while the check ran wins over a check that saw no entry.
    known.compute(clientId, (c, old) -> old != null && old != k && old.any() ? old : fresh);
    return !any;
  }

  /** This instance is about to add entries for {@code clientId}: it has some from now on. */
  private void adding(String clientId) {
    known.put(clientId, new Known(true, System.nanoTime() + EMPTY_FOR_NANOS));
  }

  /**
   * Those of {@code addresses} (as given) that are suppressed for {@code clientId} now; empty when
   * none is. One indexed look-up of their digests (under the current key and any previous key); for
   * a client with no entry at all, at most one existence check per second ({@link
   * #EMPTY_FOR_NANOS}) and no look-up. An entry found under a previous key is re-keyed.
   */
  public Set<String> suppressed(String clientId, Collection<String> addresses) {
    if (knownEmpty(clientId)) {
      return Set.of();
    }
    // Addresses by their current digest; every digest looked up, mapped to the current one.
    Map<String, List<String>> byDigest = new LinkedHashMap<>();
    Map<String, String> currentOf = new LinkedHashMap<>();
    boolean previous = index.hasPreviousKeys();
    for (String a : addresses) {
      if (!previous) {
        String d = index.address(a);
        if (d != null) {
          byDigest.computeIfAbsent(d, k -> new ArrayList<>()).add(a);
          currentOf.put(d, d);
        }
        continue;
      }
      List<String> ds = index.addressDigests(a);
      if (!ds.isEmpty()) {
        byDigest.computeIfAbsent(ds.get(0), k -> new ArrayList<>()).add(a);
        for (String d : ds) {
          currentOf.putIfAbsent(d, ds.get(0));
        }
      }
    }
    if (byDigest.isEmpty()) {
      return Set.of();
    }
    List<String> hits = lookUp(clientId, new ArrayList<>(currentOf.keySet()), true);
    if (hits.isEmpty()) {
      return Set.of();
    }
    Set<String> out = new LinkedHashSet<>();
    Set<String> found = new HashSet<>();
    for (String d : new LinkedHashSet<>(hits)) {
      String current = currentOf.get(d);
      if (found.add(current)) {
        out.addAll(byDigest.get(current));
      }
    }
    for (String d : new LinkedHashSet<>(hits)) {
      String current = currentOf.get(d);
      if (!d.equals(current)) {
        try {
          rekey(clientId, d, current, now());
        } catch (DataAccessException e) {
          // The answer stands; the next hit tries again.
          log.warn(
              "event=suppression_rekey_failed client={} error={}",
              clientId,
              e.getClass().getSimpleName());
        }
      }
    }
    return out;
  }

  /**
   * Which of {@code digests} have an entry of {@code clientId} (that applies now, when {@code
   * live}); in chunks that keep a large batch's look-up under the databases' parameter limits.
   */
  private List<String> lookUp(String clientId, List<String> digests, boolean live) {
    List<String> hits = new ArrayList<>();
    for (int from = 0; from < digests.size(); from += LOOKUP_CHUNK) {
      List<String> chunk = digests.subList(from, Math.min(digests.size(), from + LOOKUP_CHUNK));
      List<Object> args = new ArrayList<>(chunk.size() + 2);
      args.add(clientId);
      args.addAll(chunk);
      if (live) {
        args.add(ts(clock.instant()));
      }
      hits.addAll(
          jdbc.queryForList(
              "SELECT digest FROM suppression WHERE client_id = ? AND digest IN ("
                  + String.join(",", Collections.nCopies(chunk.size(), "?"))
                  + (live ? ") AND (expires_at IS NULL OR expires_at > ?)" : ")"),
              String.class,
              args.toArray()));
    }
    return hits;
  }

  /**
   * Moves {@code clientId}'s entries stored under a previous index key's digest of one of {@code
   * addresses} to the current key's digest (the re-index run calls this with each message's
   * recipients); expired entries too, so none is left behind. One look-up for all of them (in
   * chunks) and a few statements per entry moved; nothing at all without previous keys. (Not {@link
   * #knownEmpty}: an entry another instance added within its second would be skipped.) Returns how
   * many entries were moved or merged.
   */
  public int rekey(String clientId, Collection<String> addresses) {
    if (!index.hasPreviousKeys() || addresses.isEmpty()) {
      return 0;
    }
    Map<String, String> currentOf = new LinkedHashMap<>();
    for (String a : addresses) {
      List<String> ds = index.addressDigests(a);
      for (int i = 1; i < ds.size(); i++) {
        currentOf.putIfAbsent(ds.get(i), ds.get(0));
      }
    }
    if (currentOf.isEmpty()) {
      return 0;
    }
    int n = 0;
    Instant now = now();
    for (String d :
        new LinkedHashSet<>(lookUp(clientId, new ArrayList<>(currentOf.keySet()), false))) {
      rekey(clientId, d, currentOf.get(d), now);
      n++;
    }
    return n;
  }

  /**
   * Moves the entry of {@code clientId} under the previous-key digest {@code old} to {@code
   * current}. Should an entry exist under {@code current} too, it was written after the key change
   * and stays (the later add wins, as in an upsert), unless it has expired: an expired entry counts
   * as none, so the old one takes its place. Safe against a concurrent re-key of the same entry.
   */
  private void rekey(String clientId, String old, String current, Instant now) {
    jdbc.update(
        "DELETE FROM suppression WHERE client_id = ? AND digest = ? AND expires_at <= ?",
        clientId,
        current,
        ts(now));
    int moved;
    try {
      moved =
          jdbc.update(
              "UPDATE suppression SET digest = ? WHERE client_id = ? AND digest = ?"
                  + " AND NOT EXISTS (SELECT 1 FROM suppression s"
                  + " WHERE s.client_id = ? AND s.digest = ?)",
              current,
              clientId,
              old,
              clientId,
              current);
    } catch (DuplicateKeyException race) {
      // An entry under the current digest appeared meanwhile: it is the newer one.
      moved = 0;
    }
    if (moved == 0) {
      // Either the address has an entry under the current digest, or another re-key moved it.
      jdbc.update("DELETE FROM suppression WHERE client_id = ? AND digest = ?", clientId, old);
    }
    log.info("event=suppression_rekeyed client={} merged={}", clientId, moved == 0);
  }

  /**
   * Adds {@code request.address()} to {@code clientId}'s list (or replaces its reason and expiry).
   *
   * @throws ApiProblem 400 when the address is not one or the expiry is not in the future
   */
  public Suppression add(String clientId, SuppressionRequest request) {
    Instant now = now();
    List<FieldProblem> errors = new ArrayList<>();
    String digest = digestOf(request == null ? null : request.address(), errors);
    if (request != null && request.expiresAt() != null && !request.expiresAt().isAfter(now)) {
      errors.add(FieldProblem.of("expiresAt", "must be in the future"));
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    SuppressionReason reason =
        request.reason() == null ? SuppressionReason.MANUAL : request.reason();
    Instant expiresAt =
        request.expiresAt() == null ? null : request.expiresAt().truncatedTo(ChronoUnit.MICROS);
    rekeyPrevious(clientId, request.address(), now);
    return upsert(clientId, digest, reason, expiresAt, now);
  }

  /**
   * Suppresses {@code addresses} for {@code clientId} as hard bounces, until removed: the relay
   * refused them permanently. Never throws for a bad address (it is skipped).
   */
  public void addHardBounces(String clientId, Collection<String> addresses) {
    Instant now = now();
    for (String a : addresses) {
      String d = index.address(a);
      if (d != null) {
        rekeyPrevious(clientId, a, now);
        upsert(clientId, d, SuppressionReason.HARD_BOUNCE, null, now);
      }
    }
  }

  /**
   * Suppresses the addresses whose blind-index digests ({@link RecipientIndex#address}) are {@code
   * digests} for {@code clientId}, for {@code reason}, until removed: for reports that arrive after
   * a message was sent (bounces, complaints), which are matched to the message's stored digests.
   * Runs in the caller's transaction when it has one.
   */
  public void addDigests(String clientId, Collection<String> digests, SuppressionReason reason) {
    Instant now = now();
    for (String d : digests) {
      if (d != null) {
        upsert(clientId, d, reason, null, now);
      }
    }
  }

  /**
   * Before an add by address: its entry under a previous key (if any) moves to the current digest,
   * so the add updates it instead of creating a second entry. Nothing without previous keys.
   */
  private void rekeyPrevious(String clientId, String address, Instant now) {
    if (!index.hasPreviousKeys()) {
      return;
    }
    List<String> ds = index.addressDigests(address);
    if (ds.size() < 2) {
      return;
    }
    for (String d : lookUp(clientId, ds.subList(1, ds.size()), false)) {
      rekey(clientId, d, ds.get(0), now);
    }
  }

  private Suppression upsert(
      String clientId, String digest, SuppressionReason reason, Instant expiresAt, Instant now) {
    adding(clientId);
    for (int attempt = 0; ; attempt++) {
      // An expired entry counts as new: its creation time restarts.
      int updated =
          jdbc.update(
              "UPDATE suppression SET reason = ?, expires_at = ?,"
                  + " created_at = CASE WHEN expires_at IS NOT NULL AND expires_at <= ?"
                  + " THEN ? ELSE created_at END"
                  + " WHERE client_id = ? AND digest = ?",
              reason.name(),
              ts(expiresAt),
              ts(now),
              ts(now),
              clientId,
              digest);
      if (updated == 1) {
        return find(clientId, digest).orElseThrow();
      }
      UUID id = Uuid7.next();
      try {
        jdbc.update(
            "INSERT INTO suppression (id, client_id, digest, reason, created_at, expires_at)"
                + " VALUES (?, ?, ?, ?, ?, ?)",
            id,
            clientId,
            digest,
            reason.name(),
            ts(now),
            ts(expiresAt));
        log.info(
            "event=suppression_added client={} id={} reason={} expires={}",
            clientId,
            id,
            reason,
            expiresAt);
        return new Suppression(id, clientId, reason, now, expiresAt);
      } catch (DuplicateKeyException race) {
        if (attempt > 0) {
          throw race;
        }
        // Another add of the same address won: update its entry instead.
      }
    }
  }

  private Optional<Suppression> find(String clientId, String digest) {
    return jdbc
        .query(
            "SELECT " + COLUMNS + " FROM suppression WHERE client_id = ? AND digest = ?",
            Suppressions::row,
            clientId,
            digest)
        .stream()
        .findFirst();
  }

  /**
   * Removes {@code address} from {@code clientId}'s list; false when it was not on it.
   *
   * @throws ApiProblem 400 when it is not an address
   */
  public boolean remove(String clientId, String address) {
    List<FieldProblem> errors = new ArrayList<>();
    String digest = digestOf(address, errors);
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    if (!index.hasPreviousKeys()) {
      return jdbc.update(
              "DELETE FROM suppression WHERE client_id = ? AND digest = ?", clientId, digest)
          == 1;
    }
    // Its entry may still be under a previous key's digest (or, briefly, under both).
    List<String> ds = index.addressDigests(address);
    List<Object> args = new ArrayList<>(ds.size() + 1);
    args.add(clientId);
    args.addAll(ds);
    return jdbc.update(
            "DELETE FROM suppression WHERE client_id = ? AND digest IN ("
                + String.join(",", Collections.nCopies(ds.size(), "?"))
                + ")",
            args.toArray())
        > 0;
  }

  /** Removes the entry {@code id} of {@code clientId} (of any client when null); false if none. */
  public boolean remove(String clientId, UUID id) {
    return clientId == null
        ? jdbc.update("DELETE FROM suppression WHERE id = ?", id) == 1
        : jdbc.update("DELETE FROM suppression WHERE id = ? AND client_id = ?", id, clientId) == 1;
  }

  /** Removes every entry of {@code clientId}; returns how many there were. */
  public int clear(String clientId) {
    return jdbc.update("DELETE FROM suppression WHERE client_id = ?", clientId);
  }

  /**
   * The entries of {@code clientId} (of every client when null) that apply now, newest first, at
   * most {@code limit}; only those added before {@code before} when it is given (the {@code
   * createdAt} of the last entry of the previous page).
   */
  public List<Suppression> list(String clientId, Instant before, int limit) {
    List<Object> args = new ArrayList<>();
    StringBuilder sql =
        new StringBuilder("SELECT " + COLUMNS + " FROM suppression WHERE")
            .append(" (expires_at IS NULL OR expires_at > ?)");
    args.add(ts(clock.instant()));
    if (clientId != null) {
      sql.append(" AND client_id = ?");
      args.add(clientId);
    }
    if (before != null) {
      sql.append(" AND created_at < ?");
      args.add(ts(before));
    }
    sql.append(" ORDER BY created_at DESC, id DESC LIMIT ?");
    args.add(Math.max(1, Math.min(limit, MAX_LIST)));
    return jdbc.query(sql.toString(), Suppressions::row, args.toArray());
  }

  /** Now, as the database keeps it (microseconds): an answer shows exactly what is stored. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  private String digestOf(String address, List<FieldProblem> errors) {
    if (address == null || address.isBlank()) {
      errors.add(FieldProblem.of("address", "an email address is required"));
      return null;
    }
    String d = index.address(address);
    if (d == null) {
      errors.add(FieldProblem.of("address", "must be an email address"));
    }
    return d;
  }

  private static Suppression row(ResultSet rs, int n) throws SQLException {
    return new Suppression(
        rs.getObject("id", UUID.class),
        rs.getString("client_id"),
        SuppressionReason.valueOf(rs.getString("reason")),
        instant(rs, "created_at"),
        instant(rs, "expires_at"));
  }

  /**
   * Deletes up to {@code limit} entries that expired at or before {@code now} (they no longer
   * suppress anything); one statement. An entry renewed meanwhile is kept. Returns how many went.
   */
  public int purgeExpired(Instant now, int limit) {
    return jdbc.update(
        """
        DELETE FROM suppression
         WHERE expires_at <= ?
           AND id IN (SELECT id FROM suppression WHERE expires_at <= ? ORDER BY expires_at LIMIT ?)
        """,
        ts(now),
        ts(now),
        limit);
  }
}
