package dev.ums.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A whole UMS process ({@code -Xmx256m}) under hostile uploads: a 1 GiB chunked body, to the single
 * and the batch endpoint, is refused with 413 long before the client has sent it, and the process
 * stays up and keeps serving.
 */
class HostileUploadTest {

  static final long ONE_GIB = 1L << 30;

  @Test
  void a_one_gib_chunked_body_is_413_and_the_256_mb_process_survives_it() throws Exception {
    try (ChaosRun run = ChaosRun.open("hostile")) {
      UmsNode node = run.start(1).get(0);
      for (String path : List.of("/api/messages", "/api/messages/batch")) {
        Upload u = chunked(node.base(), path, ONE_GIB);
        assertTrue(u.status().startsWith("HTTP/1.1 413"), path + ": " + u.status());
        assertTrue(u.sent() < ONE_GIB / 4, path + ": answered only after " + u.sent() + " bytes");
        assertTrue(node.alive(), "the process died");
      }
      HttpResponse<String> ok =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(node.base().resolve("/api/messages"))
                      .header("Authorization", "Bearer " + UmsNode.ADMIN_KEY)
                      .header("Content-Type", "application/json")
                      .POST(
                          HttpRequest.BodyPublishers.ofString(
                              "{\"to\": [\"a@example.com\"], \"text\": \"still here\"}"))
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(202, ok.statusCode(), ok.body());
    }
  }

  /** What the server answered (status line), and how many body bytes had gone out by then. */
  record Upload(String status, long sent) {}

  /**
   * Streams {@code total} bytes of a JSON-looking body in 64 KiB chunks, generated on the fly,
   * while another thread reads the answer; stops sending once the answer is in or the server
   * closed.
   */
  static Upload chunked(URI base, String path, long total) throws Exception {
    try (Socket s = new Socket(base.getHost(), base.getPort())) {
      s.setSoTimeout(60_000);
      OutputStream out = s.getOutputStream();
      out.write(
          ("POST "
                  + path
                  + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
                  + UmsNode.ADMIN_KEY
                  + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      CompletableFuture<String> answer = CompletableFuture.supplyAsync(() -> statusLine(s));
      byte[] chunk = new byte[64 * 1024];
      Arrays.fill(chunk, (byte) 'a');
      byte[] head = ("{\"to\": [\"a@example.com\"], \"text\": \"").getBytes(StandardCharsets.UTF_8);
      System.arraycopy(head, 0, chunk, 0, head.length);
      byte[] size =
          (Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII);
      long sent = 0;
      try {
        while (sent < total && !answer.isDone()) {
          out.write(size);
          out.write(chunk);
          out.write('\r');
          out.write('\n');
          sent += chunk.length;
          if (sent == chunk.length) {
            Arrays.fill(chunk, 0, head.length, (byte) 'a'); // the rest is one long string
          }
        }
      } catch (IOException closedByServer) {
        // the server answered and closed: what we want
      }
      return new Upload(answer.get(60, TimeUnit.SECONDS), sent);
    }
  }

  private static String statusLine(Socket s) {
    try {
      InputStream in = s.getInputStream();
      ByteArrayOutputStream line = new ByteArrayOutputStream();
      int b;
      while ((b = in.read()) >= 0 && b != '\n') {
        line.write(b);
      }
      return line.toString(StandardCharsets.US_ASCII).strip();
    } catch (IOException e) {
      return "no answer: " + e.getClass().getSimpleName();
    }
  }
}
