package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.UmsIntegrationTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

@UmsIntegrationTest
class ConcurrentIdempotencyTest {

  @Autowired Http http;
  @Autowired Db db;

  @Test
  void twenty_concurrent_requests_with_one_key_store_exactly_one_message() throws Exception {
    int threads = 20;
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    List<Future<Answer>> answers = new ArrayList<>();
    for (int i = 0; i < threads; i++) {
      answers.add(
          pool.submit(
              () -> {
                start.await();
                return http.postJson(
                    "/api/messages", MessageIntakeTest.MAIL, "Idempotency-Key", "same-moment");
              }));
    }
    start.countDown();
    List<String> ids = new ArrayList<>();
    int replays = 0;
    for (Future<Answer> f : answers) {
      Answer a = f.get();
      assertThat(a.status()).isEqualTo(202);
      ids.add(a.json().get("id").asString());
      replays += "true".equals(a.header("Idempotency-Replay")) ? 1 : 0;
    }
    pool.shutdown();

    assertThat(ids).containsOnly(ids.get(0));
    assertThat(replays).isEqualTo(threads - 1);
    assertThat(db.count("message")).isEqualTo(1);
    assertThat(db.count("outbox")).isEqualTo(1);
  }
}
