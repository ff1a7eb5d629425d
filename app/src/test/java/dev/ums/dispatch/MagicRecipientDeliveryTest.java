package dev.ums.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.TestSmtp;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * Magic recipients end to end (API, ledger, dispatcher): the simulated outcome is recorded like a
 * relay's reply, and nothing reaches the relay.
 */
@DispatchIntegrationTest
class MagicRecipientDeliveryTest {

  @Autowired Http http;

  private String post(String to) {
    Http.Answer a =
        http.postJson(
            "/api/messages",
            """
            {"to": ["%s"], "subject": "magic", "text": "hello"}
            """
                .formatted(to));
    assertThat(a.status()).as(a.body()).isEqualTo(202);
    return a.json().get("id").asString();
  }

  private String status(String id) {
    return http.get("/api/messages/" + id).json().get("status").asString();
  }

  @Test
  void magic_recipients_become_sent_dead_letter_or_retry_without_touching_the_relay() {
    int before = TestSmtp.received().size();
    String delivered = post("delivered@magic.ums.test");
    String bounce = post("bounce@magic.ums.test");
    String tempfail = post("tempfail@magic.ums.test");
    await().atMost(Duration.ofSeconds(30)).until(() -> status(delivered).equals("SENT"));
    await().atMost(Duration.ofSeconds(30)).until(() -> status(bounce).equals("FAILED"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> http.get("/api/messages/" + tempfail).json().get("attempts").asInt() >= 1);
    assertThat(status(tempfail)).isIn("QUEUED", "SENDING", "FAILED");
    assertThat(TestSmtp.received()).hasSize(before);
  }
}
