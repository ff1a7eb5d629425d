package dev.ums.sender;

import static dev.ums.support.JdbcTime.ts;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Each API client's allowed sender domains ({@code client_sender_domain}). Intake reads them
 * through a short cache: a change takes effect at once on the instance that made it and within
 * {@link #CACHE_FOR} on the others, as key revocation does.
 */
@Component
public class SenderDomains {

  static final Duration CACHE_FOR = Duration.ofSeconds(5);

  private final JdbcTemplate jdbc;
  private final TransactionTemplate tx;
  private final Clock clock;
  private final Map<String, Cached> cache = new ConcurrentHashMap<>();

  private record Cached(AllowedSenders senders, long loadedAtNanos) {}

  SenderDomains(JdbcTemplate jdbc, TransactionTemplate tx, Clock clock) {
    this.jdbc = jdbc;
    this.tx = tx;
    this.clock = clock;
  }

  /** What a SENDER key of {@code clientId} may use; {@link AllowedSenders#NONE} when unset. */
  public AllowedSenders forClient(String clientId) {
    long now = System.nanoTime();
    Cached c = cache.get(clientId);
    if (c != null && now - c.loadedAtNanos() < CACHE_FOR.toNanos()) {
      return c.senders();
    }
    AllowedSenders fresh = new AllowedSenders(false, list(clientId));
    cache.put(clientId, new Cached(fresh, now));
    return fresh;
  }

  /** The client's domains, sorted; empty when none are set. */
  public List<String> list(String clientId) {
    return jdbc.queryForList(
        "SELECT domain FROM client_sender_domain WHERE client_id = ? ORDER BY domain",
        String.class,
        clientId);
  }

  /**
   * Replaces the client's domains with {@code domains} (already normalised), in one transaction.
   */
  public void replace(String clientId, List<String> domains) {
    tx.executeWithoutResult(
        s -> {
          jdbc.update("DELETE FROM client_sender_domain WHERE client_id = ?", clientId);
          var at = ts(clock.instant());
          jdbc.batchUpdate(
              "INSERT INTO client_sender_domain (client_id, domain, created_at) VALUES (?, ?, ?)",
              domains.stream().map(d -> new Object[] {clientId, d, at}).toList());
        });
    cache.remove(clientId);
  }
}
