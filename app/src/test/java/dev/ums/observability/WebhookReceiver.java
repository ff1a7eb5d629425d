package dev.ums.observability;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** A real HTTP endpoint that records every POST and answers with scripted status codes. */
final class WebhookReceiver implements AutoCloseable {

  /** One received request. */
  record Received(String signature, byte[] body) {
    JsonNode json() {
      return JsonMapper.builder().build().readTree(body);
    }
  }

  final List<Received> received = new CopyOnWriteArrayList<>();

  /** Status codes for the next requests, in order; 200 once empty. */
  final Queue<Integer> script = new ConcurrentLinkedQueue<>();

  private final HttpServer server;

  WebhookReceiver() {
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext(
        "/hook",
        ex -> {
          byte[] body = ex.getRequestBody().readAllBytes();
          received.add(new Received(ex.getRequestHeaders().getFirst("X-UMS-Signature"), body));
          Integer status = script.poll();
          ex.sendResponseHeaders(status == null ? 200 : status, -1);
          ex.close();
        });
    server.start();
  }

  URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/hook");
  }

  /** The JSON bodies received so far. */
  List<JsonNode> bodies() {
    return received.stream().map(Received::json).toList();
  }

  void clear() {
    received.clear();
    script.clear();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
