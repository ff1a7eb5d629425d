package dev.ums.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Queues test messages through the public API with the admin key: {@code POST /api/messages/batch}
 * (500 per call) to queue many quickly, or {@code POST /api/messages} one at a time with an {@code
 * Idempotency-Key}, as a client that retries would.
 */
final class Intake {

  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([0-9a-fA-F-]{36})\"");
  private static final int BATCH = 500;

  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final String prefix;

  /** {@code prefix} makes the batch idempotency keys unique to one scenario. */
  Intake(String prefix) {
    this.prefix = prefix;
  }

  /** Queues messages {@code from .. from+count-1}; returns their ids in order. */
  List<UUID> batch(UmsNode node, int from, int count) throws IOException, InterruptedException {
    List<UUID> ids = new ArrayList<>(count);
    for (int start = from; start < from + count; start += BATCH) {
      int n = Math.min(BATCH, from + count - start);
      StringBuilder body = new StringBuilder("{\"messages\":[");
      for (int i = start; i < start + n; i++) {
        body.append(i == start ? "" : ",").append(message(i));
      }
      body.append("]}");
      HttpResponse<String> r =
          post(node.base().resolve("/api/messages/batch"), prefix + "-batch-" + start, body);
      if (r.statusCode() != 202) {
        throw new IllegalStateException(
            "batch intake answered " + r.statusCode() + " on " + node.name());
      }
      List<UUID> got = ids(r.body());
      if (got.size() != n) {
        throw new IllegalStateException("batch answer lists " + got.size() + " ids, sent " + n);
      }
      ids.addAll(got);
    }
    return ids;
  }

  /**
   * One attempt of {@code POST /api/messages}: the id on 202; empty when the instance could not
   * answer (connection refused or broken, timeout, 5xx), which a client retries.
   */
  Optional<UUID> send(URI base, String key, int n) throws InterruptedException {
    try {
      HttpResponse<String> r =
          post(base.resolve("/api/messages"), key, new StringBuilder(message(n)));
      if (r.statusCode() == 202) {
        return Optional.of(ids(r.body()).get(0));
      }
      if (r.statusCode() >= 500) {
        return Optional.empty();
      }
      throw new IllegalStateException("intake answered " + r.statusCode() + " for key " + key);
    } catch (HttpTimeoutException e) {
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The Message-ID header UMS writes for a message id (default domain). */
  static String messageId(UUID id) {
    return "<" + id + "@ums.localhost>";
  }

  private HttpResponse<String> post(URI uri, String key, CharSequence body)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(uri)
            .header("Authorization", "Bearer " + UmsNode.ADMIN_KEY)
            .header("Idempotency-Key", key)
            .header("Content-Type", "application/json")
            .timeout(Duration.ofSeconds(15))
            .POST(HttpRequest.BodyPublishers.ofString(body.toString()))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static String message(int n) {
    return "{\"to\":[\"user"
        + n
        + "@example.com\"],\"subject\":\"chaos "
        + n
        + "\",\"text\":\"chaos message "
        + n
        + "\"}";
  }

  private static List<UUID> ids(String body) {
    List<UUID> ids = new ArrayList<>();
    Matcher m = ID.matcher(body);
    while (m.find()) {
      ids.add(UUID.fromString(m.group(1)));
    }
    return ids;
  }
}
