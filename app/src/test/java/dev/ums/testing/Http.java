package dev.ums.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.springframework.core.env.Environment;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP client against the running UMS. */
public class Http {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** The ADMIN key the test contexts bootstrap (see the test meta-annotations). */
  public static final String ADMIN_KEY = "ums_test_admin_key_0123456789abcdef";

  private static final HttpClient CLIENT =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final Environment env;
  private final String bearer;

  public Http(Environment env) {
    this(env, ADMIN_KEY);
  }

  private Http(Environment env, String bearer) {
    this.env = env;
    this.bearer = bearer;
  }

  /** The same client, authenticating with {@code key} (null: no Authorization header). */
  public Http as(String key) {
    return new Http(env, key);
  }

  /** An answer, with its body parsed as JSON when it is JSON. */
  public record Answer(int status, java.net.http.HttpHeaders headers, String body) {
    public JsonNode json() {
      return JSON.readTree(body);
    }

    public String header(String name) {
      return headers.firstValue(name).orElse(null);
    }

    public String contentType() {
      return header("Content-Type");
    }
  }

  public Answer post(String path, String contentType, String body, String... headers) {
    HttpRequest.Builder b =
        request(path)
            .header("Content-Type", contentType)
            .POST(HttpRequest.BodyPublishers.ofString(body));
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return send(b.build());
  }

  public Answer postJson(String path, String body, String... headers) {
    return post(path, "application/json", body, headers);
  }

  public Answer putJson(String path, String body) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .PUT(HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  /** A JSON body given as raw bytes (for bytes that are not valid UTF-8). */
  public Answer postJson(String path, byte[] body) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  /** A DELETE with a JSON body. */
  public Answer deleteJson(String path, String body) {
    return send(
        request(path)
            .header("Content-Type", "application/json")
            .method("DELETE", HttpRequest.BodyPublishers.ofString(body))
            .build());
  }

  public Answer get(String path) {
    return send(request(path).GET().build());
  }

  public Answer method(String method, String path) {
    return send(request(path).method(method, HttpRequest.BodyPublishers.noBody()).build());
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base() + path)).timeout(Duration.ofSeconds(30));
    if (bearer != null) {
      b.header("Authorization", "Bearer " + bearer);
    }
    return b;
  }

  public String base() {
    return "http://127.0.0.1:" + env.getProperty("local.server.port");
  }

  private Answer send(HttpRequest r) {
    try {
      HttpResponse<String> res = CLIENT.send(r, HttpResponse.BodyHandlers.ofString());
      return new Answer(res.statusCode(), res.headers(), res.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public static JsonMapper json() {
    return JSON;
  }
}
