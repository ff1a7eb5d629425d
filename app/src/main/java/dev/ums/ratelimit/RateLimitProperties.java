package dev.ums.ratelimit;

import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * {@code ums.ratelimit.*}: per-client token buckets on intake. Each bucket holds one second of its
 * rate and refills continuously.
 *
 * @param enabled whether intake is limited at all
 * @param store {@code LOCAL} (each instance keeps its own buckets) or {@code POSTGRESQL} (one
 *     bucket per client shared by every instance, updated atomically in the database)
 * @param requestsPerSecond default intake requests/s per client
 * @param messagesPerSecond default messages/s per client (a batch of 500 costs 500)
 * @param clients per-client overrides, keyed by client id
 */
@ConfigurationProperties("ums.ratelimit")
public record RateLimitProperties(
    @DefaultValue("true") boolean enabled,
    @DefaultValue("LOCAL") Store store,
    @DefaultValue("500") double requestsPerSecond,
    @DefaultValue("5000") double messagesPerSecond,
    Map<String, ClientLimits> clients) {

  /** Where buckets live. */
  public enum Store {
    /** In this instance's memory: N instances allow N times the rate. */
    LOCAL,
    /** In the {@code rate_bucket} table: the limit holds across all instances. */
    POSTGRESQL
  }

  /** A client's own limits; an absent value falls back to the default. */
  public record ClientLimits(Double requestsPerSecond, Double messagesPerSecond) {}

  double requestsFor(String clientId) {
    ClientLimits c = clients == null ? null : clients.get(clientId);
    return c != null && c.requestsPerSecond() != null ? c.requestsPerSecond() : requestsPerSecond;
  }

  double messagesFor(String clientId) {
    ClientLimits c = clients == null ? null : clients.get(clientId);
    return c != null && c.messagesPerSecond() != null ? c.messagesPerSecond() : messagesPerSecond;
  }
}
