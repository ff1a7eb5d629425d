package dev.ums.webhook;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A real HTTP webhook receiver: records every POST with its Standard Webhooks headers, answers 503
 * while {@link #down} is set, and can hold requests until released ({@link #hang}).
 */
final class SignedReceiver implements AutoCloseable {

  /** One received request. */
  record Received(String id, String timestamp, String signature, byte[] body) {
    JsonNode json() {
      return JsonMapper.builder().build().readTree(body);
    }

    String type() {
      return json().get("type").asString();
    }

    String messageId() {
      return json().get("data").get("messageId").asString();
    }

    /** Whether the signature verifies under {@code secret} (as a receiver would check it). */
    boolean verifies(String secret) {
      return WebhookSigner.sign(WebhookSigner.key(secret), id, Long.parseLong(timestamp), body)
          .equals(signature);
    }
  }

  final List<Received> received = new CopyOnWriteArrayList<>();
  final List<Received> refused = new CopyOnWriteArrayList<>();
  volatile boolean down;
  volatile CountDownLatch hang;
  private final HttpServer server;

  SignedReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/hook",
        ex -> {
          Received r =
              new Received(
                  ex.getRequestHeaders().getFirst("webhook-id"),
                  ex.getRequestHeaders().getFirst("webhook-timestamp"),
                  ex.getRequestHeaders().getFirst("webhook-signature"),
                  ex.getRequestBody().readAllBytes());
          CountDownLatch h = hang;
          if (h != null) {
            try {
              h.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          if (down) {
            refused.add(r);
            ex.sendResponseHeaders(503, -1);
          } else {
            received.add(r);
            ex.sendResponseHeaders(204, -1);
          }
          ex.close();
        });
    server.start();
  }

  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
  }

  List<String> types() {
    return received.stream().map(Received::type).toList();
  }

  /** The event types received for one message, in arrival order. */
  List<String> types(String messageId) {
    return received.stream()
        .filter(r -> r.messageId().equals(messageId))
        .map(Received::type)
        .toList();
  }

  @Override
  public void close() {
    CountDownLatch h = hang;
    if (h != null) {
      h.countDown();
    }
    server.stop(0);
  }
}
