package dev.ums.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The HTTP side of the load generator: small realistic messages, ids read from the answers. */
final class UmsClient {

  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");
  private static final AtomicLong SEQ = new AtomicLong();

  private final HttpClient http;
  private final URI single;
  private final URI batch;

  UmsClient(URI base) {
    this.http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    this.single = base.resolve("/api/messages");
    this.batch = base.resolve("/api/messages/batch");
  }

  /** One message as JSON, about 300 bytes: one recipient, subject, text and HTML bodies. */
  static String messageJson() {
    long i = SEQ.incrementAndGet();
    return "{\"to\":[\"user"
        + i
        + "@example.com\"],\"subject\":\"Your order "
        + i
        + " has shipped\",\"text\":\"Hello, your order "
        + i
        + " is on its way. Thanks for shopping with us.\",\"html\":\"<p>Hello, your order <b>"
        + i
        + "</b> is on its way.</p><p>Thanks for shopping with us.</p>\",\"metadata\":{\"order\":\""
        + i
        + "\"}}";
  }

  /** POST /api/messages; returns the new id. */
  String send() throws IOException, InterruptedException {
    HttpResponse<String> r = post(single, messageJson());
    return ids(r, 1).get(0);
  }

  /** POST /api/messages/batch with {@code n} messages; returns their ids in order. */
  List<String> sendBatch(int n) throws IOException, InterruptedException {
    StringBuilder b = new StringBuilder(n * 320).append("{\"messages\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append(messageJson());
    }
    HttpResponse<String> r = post(batch, b.append("]}").toString());
    return ids(r, n);
  }

  private HttpResponse<String> post(URI uri, String body) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + UmsProcess.ADMIN_KEY)
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> ids(HttpResponse<String> r, int expected) throws IOException {
    if (r.statusCode() != 202) {
      throw new IOException("UMS answered " + r.statusCode() + ": " + r.body());
    }
    List<String> ids = new ArrayList<>(expected);
    Matcher m = ID.matcher(r.body());
    while (m.find()) {
      ids.add(m.group(1));
    }
    if (ids.size() != expected) {
      throw new IOException("expected " + expected + " ids, got " + ids.size());
    }
    return ids;
  }
}
