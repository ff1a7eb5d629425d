package dev.ums.ratelimit;

import dev.ums.support.Dialect;
import dev.ums.web.ApiProblem;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Per-client limits on intake: requests/s and messages/s, both token buckets. Over either limit the
 * request is refused with 429, {@code Retry-After} and {@code RateLimit-Limit}, {@code
 * RateLimit-Remaining}, {@code RateLimit-Reset} (IETF httpapi RateLimit header fields), before
 * anything is stored.
 */
@Component
public class RateLimiter {

  private static final Logger log = LoggerFactory.getLogger(RateLimiter.class);

  private final RateLimitProperties props;
  private final BucketStore store;

  RateLimiter(
      RateLimitProperties props, Dialect dialect, NamedParameterJdbcTemplate jdbc, Clock clock) {
    this.props = props;
    if (props.store() == RateLimitProperties.Store.POSTGRESQL && dialect.sharedRateBuckets()) {
      this.store = new PostgresBuckets(jdbc, clock);
    } else {
      if (props.store() == RateLimitProperties.Store.POSTGRESQL) {
        log.warn("event=ratelimit_store_fallback reason=not_postgresql store=LOCAL");
      }
      this.store = new LocalBuckets(clock);
    }
  }

  /**
   * Takes one request and {@code messages} messages from the client's buckets.
   *
   * @throws ApiProblem 429 when either bucket is short
   */
  public void checkIntake(String clientId, int messages) {
    checkRequest(clientId);
    checkMessages(clientId, messages);
  }

  /**
   * Takes one request from the client's requests/s bucket. Intake calls this before the body is
   * read, so a client over its rate costs no parsing, however large its body.
   *
   * @throws ApiProblem 429 when the bucket is short
   */
  public void checkRequest(String clientId) {
    if (props.enabled()) {
      check(clientId, "requests", props.requestsFor(clientId), 1);
    }
  }

  /**
   * Takes {@code messages} from the client's messages/s bucket, once the body says how many.
   *
   * @throws ApiProblem 429 when the bucket is short
   */
  public void checkMessages(String clientId, int messages) {
    if (props.enabled()) {
      check(clientId, "messages", props.messagesFor(clientId), messages);
    }
  }

  private void check(String clientId, String kind, double rate, int cost) {
    BucketStore.Take t = store.take(clientId, kind, rate, cost);
    if (t.allowed()) {
      return;
    }
    long reset = Math.max(1, (t.retryAfter().toMillis() + 999) / 1000);
    log.info("event=rate_limited client={} kind={} retry_after_s={}", clientId, kind, reset);
    throw new ApiProblem(
            HttpStatus.TOO_MANY_REQUESTS,
            "rate-limited",
            "Too many requests",
            "The "
                + kind
                + " per second limit of this client is spent; retry after "
                + reset
                + " s")
        .retryAfter(t.retryAfter())
        .header("RateLimit-Limit", Long.toString((long) rate))
        .header("RateLimit-Remaining", Long.toString((long) Math.floor(t.remaining())))
        .header("RateLimit-Reset", Long.toString(reset));
  }
}
