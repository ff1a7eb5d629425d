package dev.ums.message;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.Http.Answer;
import dev.ums.testing.RawHttp;
import dev.ums.testing.UmsIntegrationTest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;

/**
 * Requests an attacker (or a broken client) might send. Each is refused with a 4xx {@code
 * application/problem+json} that has a {@code type}, and none stores anything. The test context
 * limits raw bodies to 4 MB ({@code ums.limits.max-request-bytes}).
 */
@UmsIntegrationTest
@ExtendWith(OutputCaptureExtension.class)
class HostileInputTest {

  static final String MAIL = "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}";
  static final String AUTH = "Authorization: Bearer " + Http.ADMIN_KEY + "\r\n";

  @Autowired Http http;
  @Autowired Db db;
  @LocalServerPort int port;

  /**
   * Proves the server does not buffer an oversize chunked body: the client streams 512 MB, made up
   * chunk by chunk (it never holds more than 64 KB), and the 413 arrives while it has sent only a
   * few MB (the 4 MB limit plus what the sockets' buffers hold), long before it could finish. The
   * server cannot have read, let alone parsed, the rest.
   */
  @Test
  void chunked_body_far_over_the_limit_is_413_before_the_client_has_finished_sending()
      throws Exception {
    long total = 512L << 20;
    AtomicLong sent = new AtomicLong();
    AtomicBoolean finished = new AtomicBoolean();
    long started = System.nanoTime();
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      Thread writer =
          new Thread(
              () -> {
                try {
                  out.write(
                      ("POST /api/messages/batch HTTP/1.1\r\nHost: localhost\r\n"
                              + AUTH
                              + "Content-Type: application/json\r\n"
                              + "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n")
                          .getBytes(StandardCharsets.US_ASCII));
                  writeChunk(out, "{\"messages\": [{\"to\": [\"ann@example.com\"], \"text\": \"");
                  byte[] chunk = new byte[64 * 1024];
                  Arrays.fill(chunk, (byte) 'x');
                  while (sent.get() < total) {
                    writeChunk(out, chunk);
                    sent.addAndGet(chunk.length);
                  }
                  writeChunk(out, "\"}]}");
                  out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  finished.set(true);
                } catch (IOException closedByServer) {
                  // expected: the server answers and closes without reading the rest
                }
              });
      writer.setDaemon(true);
      writer.start();

      RawHttp.Response answer = RawHttp.read(socket.getInputStream());
      long sentWhenAnswered = sent.get();
      long elapsedMs = (System.nanoTime() - started) / 1_000_000;

      assertThat(answer.status()).isEqualTo(413);
      assertThat(answer.contentType()).startsWith("application/problem+json");
      assertThat(answer.json().get("type").asString()).isEqualTo("/problems/too-large");
      assertThat(finished).isFalse();
      assertThat(sentWhenAnswered).as("bytes sent before the answer").isLessThan(64L << 20);
      assertThat(elapsedMs).isLessThan(20_000);
      writer.interrupt();
    }
    assertThat(db.intakeRows()).isZero();
  }

  private static void writeChunk(OutputStream out, String s) throws IOException {
    writeChunk(out, s.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeChunk(OutputStream out, byte[] b) throws IOException {
    out.write((Integer.toHexString(b.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
    out.write(b);
    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
  }

  static Stream<Arguments> strictJson() {
    byte[] overlong = mailWithSubject(new byte[] {'a', (byte) 0xC0, (byte) 0xAF, 'b'});
    byte[] overlong3 = mailWithSubject(new byte[] {(byte) 0xE0, (byte) 0x80, (byte) 0xAF});
    byte[] beyondUnicode =
        mailWithSubject(new byte[] {(byte) 0xF4, (byte) 0x90, (byte) 0x80, (byte) 0x80});
    byte[] truncated = mailWithSubject(new byte[] {'a', (byte) 0xE2, (byte) 0x82});
    return Stream.of(
        Arguments.of(
            "duplicate key",
            bytes(
                "{\"to\": [\"ann@example.com\"], \"to\": [\"eve@example.com\"], \"text\": \"hi\"}")),
        Arguments.of(
            "duplicate nested key", bytes(mail(", \"metadata\": {\"k\": \"1\", \"k\": \"2\"}"))),
        Arguments.of("number as string", bytes(mail(", \"subject\": 12"))),
        Arguments.of("decimal as string", bytes(mail(", \"subject\": 1.5"))),
        Arguments.of("boolean as string", bytes(mail(", \"subject\": true"))),
        Arguments.of("number in an address list", bytes("{\"to\": [42], \"text\": \"hi\"}")),
        Arguments.of("number as metadata value", bytes(mail(", \"metadata\": {\"k\": 1}"))),
        Arguments.of("overlong UTF-8 (2 bytes)", overlong),
        Arguments.of("overlong UTF-8 (3 bytes)", overlong3),
        Arguments.of("UTF-8 beyond U+10FFFF", beyondUnicode),
        Arguments.of("truncated UTF-8", truncated),
        Arguments.of("deep nesting", bytes(mail(", \"subject\": " + "[".repeat(5000)))),
        Arguments.of(
            "deep nesting in a batch",
            bytes("{\"messages\": [" + "{\"messages\": [".repeat(2000))));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("strictJson")
  void lenient_json_is_refused_with_a_400_problem_and_nothing_stored(String name, byte[] body) {
    Answer single = http.postJson("/api/messages", body);
    Answer batch =
        http.postJson("/api/messages/batch", concat(bytes("{\"messages\": ["), body, bytes("]}")));

    for (Answer a : new Answer[] {single, batch}) {
      assertProblem(a.status(), a.contentType(), a.body(), 400);
    }
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void well_formed_multibyte_utf8_and_a_chunked_body_under_the_limit_are_accepted() {
    String text = "Gr\u00fc\u00dfe \u65e5\u672c \ud83d\ude00 \u00e9t\u00e9";
    Answer a = http.postJson("/api/messages", bytes(mail(", \"subject\": \"" + text + "\"")));
    // 3 messages of 800 KB each (two-byte characters): 2.4 MB, under the 4 MB request limit.
    String big = mail(", \"html\": \"" + "\u00e9".repeat(400_000) + "\"");
    String chunked = "{\"messages\": [" + String.join(",", big, big, big) + "]}";
    RawHttp.Response b =
        RawHttp.exchange(
            port,
            concat(
                bytes(
                    "POST /api/messages/batch HTTP/1.1\r\nHost: localhost\r\n"
                        + AUTH
                        + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                        + "Connection: close\r\n\r\n"
                        + Integer.toHexString(bytes(chunked).length)
                        + "\r\n"),
                bytes(chunked),
                bytes("\r\n0\r\n\r\n")));

    assertThat(a.status()).as(a.body()).isEqualTo(202);
    assertThat(b.status()).as(b.body()).isEqualTo(202);
    assertThat(db.count("message")).isEqualTo(4);
  }

  @Test
  void duplicate_key_does_not_let_the_last_recipient_win() {
    Answer a =
        http.postJson(
            "/api/messages",
            "{\"to\": [\"ann@example.com\"], \"text\": \"hi\", \"to\": [\"eve@example.com\"]}");

    assertThat(a.status()).isEqualTo(400);
    assertThat(a.json().get("detail").asString()).contains("to");
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void multipart_body_is_415_not_500() {
    String body =
        "--b\r\nContent-Disposition: form-data; name=\"to\"\r\n\r\nann@example.com\r\n--b--\r\n";
    Answer a = http.post("/api/messages", "multipart/form-data; boundary=b", body);

    assertProblem(a.status(), a.contentType(), a.body(), 415);
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void unknown_route_wrong_method_and_wrong_content_type_are_problems_with_a_type() {
    assertProblem(http.get("/api/nothing-here"), 404);
    assertProblem(http.get("/nothing-here"), 404);
    assertProblem(http.method("DELETE", "/api/messages"), 405);
    assertProblem(http.method("PUT", "/api/messages/batch"), 405);
    assertProblem(http.post("/api/messages", "text/plain", MAIL), 415);
    assertProblem(http.post("/api/messages/batch", "application/xml", "<a/>"), 415);
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void error_path_called_directly_is_a_404_problem() {
    assertProblem(http.get("/error"), 404);
    assertProblem(http.method("POST", "/error"), 404);
    assertProblem(http.as(null).get("/error"), 404);
  }

  static Stream<String> badPaths() {
    return Stream.of(
        "/api/messages/../messages",
        "/api/x/..;/messages",
        "/api/messages;jsessionid=1",
        "/api//messages",
        "/api/messages/%25",
        "/api/messages/%2e%2e/messages",
        "/api/messages/%2F",
        "/api/messages\\x");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badPaths")
  void path_the_firewall_rejects_is_a_400_problem(String path) {
    RawHttp.Response r =
        RawHttp.exchange(
            port,
            "POST "
                + path
                + " HTTP/1.1\r\nHost: localhost\r\n"
                + AUTH
                + "Content-Type: application/json\r\nContent-Length: "
                + MAIL.length()
                + "\r\nConnection: close\r\n\r\n"
                + MAIL);

    assertProblem(r.status(), r.contentType(), r.body(), 400);
    assertThat(db.intakeRows()).isZero();
  }

  static Stream<Arguments> firewallHeaders() {
    return Stream.of(
        Arguments.of("Authorization", "Bearer " + Http.ADMIN_KEY + "\u0085", 400),
        Arguments.of("Idempotency-Key", "key\u0085", 400),
        Arguments.of("X-Message-Id", "key\u009b", 400),
        // Spring MVC reads the content type past the firewall: it is simply not JSON.
        Arguments.of("Content-Type", "application/json\u0085", 415));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("firewallHeaders")
  void header_value_the_firewall_rejects_is_a_4xx_problem(String name, String value, int status) {
    String auth = name.equals("Authorization") ? "" : AUTH;
    String contentType = name.equals("Content-Type") ? "" : "Content-Type: application/json\r\n";
    RawHttp.Response r =
        RawHttp.exchange(
            port,
            "POST /api/messages HTTP/1.1\r\nHost: localhost\r\n"
                + auth
                + contentType
                + name
                + ": "
                + value
                + "\r\nContent-Length: "
                + MAIL.length()
                + "\r\nConnection: close\r\n\r\n"
                + MAIL);

    assertProblem(r.status(), r.contentType(), r.body(), status);
    assertThat(r.body()).doesNotContain(Http.ADMIN_KEY);
    assertThat(db.intakeRows()).isZero();
  }

  @Test
  void control_byte_in_a_key_bearing_header_is_a_400_problem_and_never_logged(
      CapturedOutput output) {
    String secret = "ums_secret_in_idempotency_key_0123456789";
    RawHttp.Response auth =
        RawHttp.exchange(
            port,
            "GET /api/messages/0190f0c2-7f3a-7000-8000-000000000000 HTTP/1.1\r\n"
                + "Host: localhost\r\nAuthorization: Bearer "
                + Http.ADMIN_KEY
                + "\u0001\r\nConnection: close\r\n\r\n");
    RawHttp.Response key =
        RawHttp.exchange(
            port,
            "POST /api/messages HTTP/1.1\r\nHost: localhost\r\n"
                + AUTH
                + "Content-Type: application/json\r\nIdempotency-Key: "
                + secret
                + "\u0001\u007f\r\nContent-Length: "
                + MAIL.length()
                + "\r\nConnection: close\r\n\r\n"
                + MAIL);

    // Tomcat logs before it answers, so by now anything it logged has been captured.
    assertThat(output.getAll()).doesNotContain(Http.ADMIN_KEY).doesNotContain(secret);
    for (RawHttp.Response r : new RawHttp.Response[] {auth, key}) {
      assertProblem(r.status(), r.contentType(), r.body(), 400);
      assertThat(r.body()).doesNotContain(Http.ADMIN_KEY).doesNotContain(secret);
    }
    assertThat(db.intakeRows()).isZero();
  }

  static Stream<String> malformedRequests() {
    return Stream.of(
        "GET /api/messages HTTP/1.1 junk\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        "G\u0001T /api/messages HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        "GET /api/mess{ages HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        "GET /api/messages HTTP/1.1\r\nConnection: close\r\n\r\n",
        "GET /api/messages HTTP/1.1\r\nHost: localhost\r\nBad Header: x\r\n"
            + "Connection: close\r\n\r\n",
        "POST /api/messages HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n"
            + "Content-Length: 6\r\nConnection: close\r\n\r\nhello");
  }

  @ParameterizedTest(name = "{index}")
  @MethodSource("malformedRequests")
  void malformed_request_is_a_400_problem_not_html(String request) {
    RawHttp.Response r = RawHttp.exchange(port, request);

    assertProblem(r.status(), r.contentType(), r.body(), 400);
  }

  private static void assertProblem(Answer a, int status) {
    assertProblem(a.status(), a.contentType(), a.body(), status);
  }

  private static void assertProblem(int actual, String contentType, String body, int status) {
    assertThat(actual).as(body).isEqualTo(status);
    assertThat(contentType).as(body).startsWith("application/problem+json");
    var json = Http.json().readTree(body);
    assertThat(json.path("type").asString("")).as(body).startsWith("/problems/");
    assertThat(json.path("status").asInt()).as(body).isEqualTo(status);
    assertThat(json.path("title").asString("")).as(body).isNotEmpty();
    assertThat(body).doesNotContain("Exception").doesNotContain("<html");
  }

  static String mail(String extra) {
    return "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"" + extra + "}";
  }

  private static byte[] mailWithSubject(byte[] subject) {
    return concat(
        bytes("{\"to\": [\"ann@example.com\"], \"text\": \"hi\", \"subject\": \""),
        subject,
        bytes("\"}"));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] concat(byte[]... parts) {
    int n = 0;
    for (byte[] p : parts) {
      n += p.length;
    }
    byte[] all = new byte[n];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }
}
