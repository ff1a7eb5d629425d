package dev.ums.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
  private final URI base;

  UmsClient(URI base) {
    this.base = base;
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

  /**
   * POST /api/messages; returns the new id. Sent over a plain keep-alive HTTP/1.1 socket, one per
   * calling thread (like wrk): {@code java.net.http.HttpClient} cost more CPU per request than UMS
   * itself on these 2 cores, so measuring through it measured the client.
   */
  String send() throws IOException {
    Conn c = conn.get();
    try {
      if (c == null) {
        c = new Conn(single);
        conn.set(c);
      }
      String body = c.post(messageJson());
      if (c.closing) {
        // The server said Connection: close (Tomcat does every 100 requests): next time, anew.
        c.close();
        conn.remove();
      }
      Matcher m = ID.matcher(body);
      if (!m.find()) {
        throw new IOException("no id in the answer");
      }
      return m.group(1);
    } catch (IOException e) {
      if (c != null) {
        c.close();
      }
      conn.remove();
      throw e;
    }
  }

  private final ThreadLocal<Conn> conn = new ThreadLocal<>();

  /** One keep-alive HTTP/1.1 connection: request out, status and body (length or chunked) in. */
  private static final class Conn {

    private final Socket socket;
    private final OutputStream out;
    private final InputStream in;
    private final String head;
    private boolean closing;

    Conn(URI uri) throws IOException {
      socket = new Socket(uri.getHost(), uri.getPort());
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(60_000);
      out = new BufferedOutputStream(socket.getOutputStream(), 4096);
      in = new BufferedInputStream(socket.getInputStream(), 8192);
      head =
          "POST "
              + uri.getPath()
              + " HTTP/1.1\r\nHost: "
              + uri.getHost()
              + ":"
              + uri.getPort()
              + "\r\nContent-Type: application/json\r\nAuthorization: Bearer "
              + UmsProcess.ADMIN_KEY
              + "\r\nContent-Length: ";
    }

    String post(String json) throws IOException {
      byte[] body = json.getBytes(StandardCharsets.UTF_8);
      out.write((head + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.write(body);
      out.flush();
      String status = line();
      int length = -1;
      boolean chunked = false;
      for (String h = line(); !h.isEmpty(); h = line()) {
        String lower = h.toLowerCase(java.util.Locale.ROOT);
        if (lower.startsWith("content-length:")) {
          length = Integer.parseInt(h.substring(15).trim());
        } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
          chunked = true;
        } else if (lower.startsWith("connection:") && lower.contains("close")) {
          closing = true;
        }
      }
      String answer;
      if (chunked) {
        StringBuilder b = new StringBuilder();
        for (int n = Integer.parseInt(line().trim(), 16);
            n > 0;
            n = Integer.parseInt(line().trim(), 16)) {
          b.append(new String(in.readNBytes(n), StandardCharsets.UTF_8));
          line();
        }
        line();
        answer = b.toString();
      } else {
        answer = new String(in.readNBytes(Math.max(0, length)), StandardCharsets.UTF_8);
      }
      if (!status.startsWith("HTTP/1.1 202")) {
        throw new IOException("UMS answered " + status);
      }
      return answer;
    }

    private String line() throws IOException {
      StringBuilder b = new StringBuilder(64);
      int c;
      while ((c = in.read()) != '\n') {
        if (c < 0) {
          throw new EOFException("connection closed");
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }

    void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing a broken connection
      }
    }
  }

  /** The messages of the compose drains. */
  enum Shape {
    /** The plain message of the other scenarios (about 300 bytes of JSON). */
    PLAIN("plain", 500),
    /** A 20 KB HTML newsletter rendered from a stored template at intake. */
    TEMPLATE_20K("templated 20 KB html", 500),
    /** The plain message with a 100 KB PDF attached (batches of 50: 7 MB per request). */
    ATTACHMENT_100K("plain + 100 KB attachment", 50);

    final String label;
    final int batch;

    Shape(String label, int batch) {
      this.label = label;
      this.batch = batch;
    }
  }

  /** 100 KB of pseudo-random bytes (incompressible, like a PDF's streams), as base64. */
  private static final String ATTACHMENT_BASE64;

  /** A 20 KB HTML newsletter: article blocks around a few variables and a list. */
  private static final String TEMPLATE_JSON;

  static {
    byte[] pdf = new byte[100 * 1024];
    new java.util.Random(100).nextBytes(pdf);
    ATTACHMENT_BASE64 = java.util.Base64.getEncoder().encodeToString(pdf);
    StringBuilder html =
        new StringBuilder("<html><body><h1>Hello {{name}}</h1><p>Your order {{order}}:</p><ul>");
    html.append("{{#items}}<li>{{title}} &times; {{qty}}</li>{{/items}}</ul>");
    while (html.length() < 20 * 1024) {
      html.append(
          "<div class=\\\"article\\\"><h2>News for {{name}}</h2><p>Lorem ipsum dolor sit amet,"
              + " consectetur adipiscing elit, sed do eiusmod tempor incididunt ut labore et dolore"
              + " magna aliqua. Ut enim ad minim veniam, quis nostrud exercitation.</p></div>");
    }
    html.append("</body></html>");
    TEMPLATE_JSON =
        "{\"name\":\"newsletter\",\"subject\":\"News for {{name}}\",\"html\":\""
            + html
            + "\",\"text\":\"Hello {{name}}, your order {{order}} is on its way.\"}";
  }

  /** Whatever a shape needs stored first (the template). */
  void prepare(Shape shape) throws IOException, InterruptedException {
    if (shape == Shape.TEMPLATE_20K) {
      HttpResponse<String> r = post(base.resolve("/api/templates"), TEMPLATE_JSON);
      if (r.statusCode() != 201) {
        throw new IOException("UMS answered " + r.statusCode() + ": " + r.body());
      }
    }
  }

  /** One message of {@code shape} as JSON. */
  static String messageJson(Shape shape) {
    return switch (shape) {
      case PLAIN -> messageJson();
      case TEMPLATE_20K -> {
        long i = SEQ.incrementAndGet();
        yield "{\"to\":[\"user"
            + i
            + "@example.com\"],\"template\":{\"name\":\"newsletter\",\"variables\":{\"name\":\"User "
            + i
            + "\",\"order\":\""
            + i
            + "\",\"items\":[{\"title\":\"Socks\",\"qty\":2},{\"title\":\"Hat\",\"qty\":1}]}},"
            + "\"tags\":{\"kind\":\"newsletter\"}}";
      }
      case ATTACHMENT_100K -> {
        String plain = messageJson();
        yield plain.substring(0, plain.length() - 1)
            + ",\"attachments\":[{\"filename\":\"invoice.pdf\",\"contentType\":\"application/pdf\","
            + "\"content\":\""
            + ATTACHMENT_BASE64
            + "\"}]}";
      }
    };
  }

  /** POST /api/messages/batch with {@code n} messages of {@code shape}; their ids in order. */
  List<String> sendBatch(int n, Shape shape) throws IOException, InterruptedException {
    StringBuilder b = new StringBuilder(n * 320).append("{\"messages\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append(messageJson(shape));
    }
    HttpResponse<String> r = post(batch, b.append("]}").toString());
    return ids(r, n);
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

  /** POST /api/webhooks for every event type to {@code url}; returns the endpoint's id. */
  String createWebhook(String url) throws IOException, InterruptedException {
    HttpResponse<String> r = post(base.resolve("/api/webhooks"), "{\"url\":\"" + url + "\"}");
    if (r.statusCode() != 201) {
      throw new IOException("webhook endpoint not created: " + r.statusCode() + " " + r.body());
    }
    Matcher m = ID.matcher(r.body());
    if (!m.find()) {
      throw new IOException("no id in the answer");
    }
    return m.group(1);
  }

  /**
   * The plain message to {@code user<i>@domain}, with {@code priority} ({@code high}, {@code
   * normal}, {@code bulk}) when not null.
   */
  static String messageJson(String domain, String priority) {
    String m = messageJson().replace("@example.com\"", "@" + domain + "\"");
    return priority == null
        ? m
        : m.substring(0, m.length() - 1) + ",\"priority\":\"" + priority + "\"}";
  }

  /** POST /api/admin/keys: a new SENDER key of client {@code clientId}. */
  String createSenderKey(String clientId) throws IOException, InterruptedException {
    HttpResponse<String> r =
        post(
            base.resolve("/api/admin/keys"),
            "{\"clientId\":\"" + clientId + "\",\"role\":\"SENDER\",\"name\":\"bench\"}",
            UmsProcess.ADMIN_KEY);
    Matcher m = Pattern.compile("\"key\"\\s*:\\s*\"([^\"]+)\"").matcher(r.body());
    if (r.statusCode() != 201 || !m.find()) {
      throw new IOException("UMS answered " + r.statusCode() + ": " + r.body());
    }
    return m.group(1);
  }

  /**
   * POST /api/messages/batch with {@code key}: {@code n} messages to {@code domain} of {@code
   * priority} (null: the batch default, bulk); their ids in order.
   */
  List<String> sendBatch(String key, int n, String domain, String priority)
      throws IOException, InterruptedException {
    StringBuilder b = new StringBuilder(n * 340).append("{\"messages\":[");
    for (int i = 0; i < n; i++) {
      b.append(i == 0 ? "" : ",").append(messageJson(domain, priority));
    }
    return ids(post(batch, b.append("]}").toString(), key), n);
  }

  /** POST /api/messages with {@code key}: one message to {@code domain}; its id. */
  String sendOne(String key, String domain, String priority)
      throws IOException, InterruptedException {
    return ids(post(single, messageJson(domain, priority), key), 1).get(0);
  }

  private HttpResponse<String> post(URI uri, String body) throws IOException, InterruptedException {
    return post(uri, body, UmsProcess.ADMIN_KEY);
  }

  private HttpResponse<String> post(URI uri, String body, String key)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri)
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/json")
            .header("Authorization", "Bearer " + key)
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
