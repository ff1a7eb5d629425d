package dev.ums.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.ums.testing.Db;
import dev.ums.testing.DispatchIntegrationTest;
import dev.ums.testing.Http;
import dev.ums.testing.TestSmtp;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;

@DispatchIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class EncryptionAtRestTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired ContentCipher cipher;

  @Test
  void
      after_a_full_send_and_a_suppression_no_table_no_log_line_and_no_payload_holds_the_personal_data(
          CapturedOutput output) throws Exception {
    String marker = "zq" + Long.toHexString(ThreadLocalRandom.current().nextLong() >>> 1);
    // A webhook endpoint, so event payloads and the delivery tables are part of what is checked.
    List<String> payloads = new CopyOnWriteArrayList<>();
    HttpServer receiver =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    receiver.createContext(
        "/hook",
        ex -> {
          payloads.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          ex.sendResponseHeaders(204, -1);
          ex.close();
        });
    receiver.start();
    assertThat(
            http.postJson(
                    "/api/webhooks",
                    "{\"url\": \"http://127.0.0.1:" + receiver.getAddress().getPort() + "/hook\"}")
                .status())
        .isEqualTo(201);
    String id =
        http.postJson(
                "/api/messages",
                "{\"to\": [\"Marker "
                    + marker
                    + " <"
                    + marker
                    + "@example.com>\"], \"subject\": \"Subject "
                    + marker
                    + "\", \"text\": \"Body "
                    + marker
                    + "\", \"html\": \"<p>"
                    + marker
                    + "</p>\", \"headers\": {\"X-Tag\": \""
                    + marker
                    + "\"}}",
                "Idempotency-Key",
                "enc-" + UUID.randomUUID())
            .json()
            .get("id")
            .asString();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> http.get("/api/messages/" + id).json().get("status").asString().equals("SENT"));
    await().atMost(Duration.ofSeconds(10)).until(() -> payloads.size() >= 2);
    receiver.stop(0);
    assertThat(payloads).anySatisfy(p -> assertThat(p).contains("message.sent").contains(id));
    assertThat(payloads).allSatisfy(p -> assertThat(p).doesNotContain(marker));
    // It did go out, in clear, over SMTP.
    assertThat(TestSmtp.received()).anySatisfy(m -> assertThat(TestSmtp.messageId(m)).contains(id));
    // The address suppressed through the API, and a message to it refused at intake: the
    // suppression table, the intake answer and its idempotency record are checked too.
    Http.Answer suppressed =
        http.postJson(
            "/api/suppressions",
            "{\"address\": \"Marker " + marker + " <" + marker + "@example.com>\"}");
    assertThat(suppressed.status()).as(suppressed.body()).isEqualTo(201);
    assertThat(suppressed.body()).doesNotContain(marker);
    Http.Answer refused =
        http.postJson(
            "/api/messages",
            "{\"to\": [\"" + marker + "@example.com\"], \"text\": \"again\"}",
            "Idempotency-Key",
            "enc-" + UUID.randomUUID());
    assertThat(refused.json().get("status").asString()).isEqualTo("SUPPRESSED");
    assertThat(refused.body()).doesNotContain(marker);
    assertThat(http.get("/api/suppressions").body()).doesNotContain(marker);
    assertThat(db.count("suppression")).isEqualTo(1);

    // Every table, the bounce table among them (its own marker test delivers a bounce to fill it:
    // dev.ums.bounce.InboundBounceTest).
    assertThat(db.columnsHolding(marker)).isEmpty();
    assertThat(output.getAll()).doesNotContain(marker);
  }

  @Test
  void a_ciphertext_copied_to_another_row_does_not_open() {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    byte[] sealed = cipher.seal(a, "{\"to\":[\"x@example.com\"]}".getBytes(StandardCharsets.UTF_8));

    assertThat(new String(cipher.open(a, sealed), StandardCharsets.UTF_8))
        .contains("x@example.com");
    assertThatThrownBy(() -> cipher.open(b, sealed)).isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> cipher.openRefused(a, sealed))
        .isInstanceOf(IllegalStateException.class);
    sealed[sealed.length - 1] ^= 1;
    assertThatThrownBy(() -> cipher.open(a, sealed)).isInstanceOf(IllegalStateException.class);
  }
}
