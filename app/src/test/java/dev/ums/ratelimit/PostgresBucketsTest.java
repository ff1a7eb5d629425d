package dev.ums.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.UmsIntegrationTest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

/** The shared store on the real PostgreSQL: two "instances" drawing from one bucket. */
@UmsIntegrationTest
class PostgresBucketsTest {

  @Autowired NamedParameterJdbcTemplate jdbc;

  static final class StoppedClock extends Clock {
    volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @Override
    public Instant instant() {
      return now;
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  @Test
  void concurrent_takes_from_two_instances_never_overspend_and_refill_with_time() throws Exception {
    StoppedClock clock = new StoppedClock();
    BucketStore a = new PostgresBuckets(jdbc, clock);
    BucketStore b = new PostgresBuckets(jdbc, clock);
    String client = "pg-" + System.nanoTime();
    AtomicInteger allowed = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(8);
    List<Future<Object>> done = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      BucketStore store = t % 2 == 0 ? a : b;
      Callable<Object> task =
          () -> {
            go.await();
            for (int i = 0; i < 10; i++) {
              if (store.take(client, "requests", 20, 1).allowed()) {
                allowed.incrementAndGet();
              }
            }
            return null;
          };
      done.add(pool.submit(task));
    }
    go.countDown();
    for (Future<Object> f : done) {
      f.get();
    }
    pool.shutdown();

    assertThat(allowed.get()).isEqualTo(20);
    BucketStore.Take refused = a.take(client, "requests", 20, 1);
    assertThat(refused.allowed()).isFalse();
    assertThat(refused.retryAfter()).isEqualTo(Duration.ofMillis(50));

    clock.now = clock.now.plusMillis(500); // 10 tokens back
    int again = 0;
    for (int i = 0; i < 15; i++) {
      again += b.take(client, "requests", 20, 1).allowed() ? 1 : 0;
    }
    assertThat(again).isEqualTo(10);
  }

  @Test
  void local_buckets_follow_the_same_rules() {
    StoppedClock clock = new StoppedClock();
    BucketStore local = new LocalBuckets(clock);

    assertThat(local.take("c", "messages", 5, 6).allowed()).isTrue(); // full bucket, into debt
    BucketStore.Take t = local.take("c", "messages", 5, 1);
    assertThat(t.allowed()).isFalse();
    assertThat(t.retryAfter()).isEqualTo(Duration.ofMillis(400)); // from -1 to 1 at 5/s
    clock.now = clock.now.plusMillis(400);
    assertThat(local.take("c", "messages", 5, 1).allowed()).isTrue();
  }
}
