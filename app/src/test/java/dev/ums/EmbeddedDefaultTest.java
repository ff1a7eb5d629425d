package dev.ums;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

@ExtendWith(OutputCaptureExtension.class)
/** The newcomer's path: no settings at all, H2 under ./data, accepts a message. */
class EmbeddedDefaultTest {

  @TempDir Path workDir;

  @Test
  void the_embedded_default_starts_accepts_and_delivers_to_the_capture_inbox(CapturedOutput output)
      throws Exception {
    // The test run points spring.datasource.* at PostgreSQL through system properties; command-line
    // arguments outrank them, so put back exactly what application-dev.yml says, under a temp dir.
    Path data = workDir.resolve("data");
    String[] args = {
      "--spring.profiles.active=dev",
      "--server.port=0",
      "--spring.datasource.url=jdbc:h2:file:" + data.resolve("ums") + ";DB_CLOSE_ON_EXIT=FALSE",
      "--spring.datasource.username=sa",
      "--spring.datasource.password=",
      "--ums.crypto.dev-keyset-path=" + data.resolve("keyset.json")
    };
    try (ConfigurableApplicationContext ctx = SpringApplication.run(UmsApplication.class, args)) {
      int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
      // With no keys and no UMS_BOOTSTRAP_ADMIN_KEY, a development admin key is printed once.
      Matcher m = Pattern.compile("key=(ums_[A-Za-z0-9_-]{32})").matcher(output.getOut());
      assertThat(m.find()).as("generated development key in the log").isTrue();
      String auth = "Bearer " + m.group(1);
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> res =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/messages"))
                  .header("Content-Type", "application/json")
                  .header("Authorization", auth)
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"to\": [\"ann@example.com\"], \"subject\": \"Hi\", \"text\": \"Hello\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(res.statusCode()).isEqualTo(202);
      String location = res.headers().firstValue("Location").orElseThrow();
      HttpResponse<String> status =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + location))
                  .header("Authorization", auth)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(status.statusCode()).isEqualTo(200);

      // With no relay configured, the dispatcher delivers into the built-in capture inbox (H2
      // claims).
      String id = location.substring(location.lastIndexOf('/') + 1);
      URI inbox = URI.create("http://127.0.0.1:" + port + "/api/dev/inbox");
      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () ->
                  client
                      .send(
                          HttpRequest.newBuilder(inbox).header("Authorization", auth).build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body()
                      .contains("<" + id + "@ums.localhost>"));
      Awaitility.await()
          .atMost(Duration.ofSeconds(5))
          .until(
              () ->
                  client
                      .send(
                          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + location))
                              .header("Authorization", auth)
                              .build(),
                          HttpResponse.BodyHandlers.ofString())
                      .body()
                      .contains("\"status\":\"SENT\""));
      // The blind-index look-up works on H2 too.
      HttpResponse<String> found =
          client.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:"
                              + port
                              + "/api/admin/messages?recipient=ANN@example.com"))
                  .header("Authorization", auth)
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(found.body()).contains(id);
      // Sender domains (the walk-through's step 6) are stored on H2 too.
      HttpResponse<String> domains =
          client.send(
              HttpRequest.newBuilder(
                      URI.create(
                          "http://127.0.0.1:" + port + "/api/admin/clients/shop/sender-domains"))
                  .header("Content-Type", "application/json")
                  .header("Authorization", auth)
                  .PUT(HttpRequest.BodyPublishers.ofString("[\"shop.example\"]"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(domains.statusCode()).as(domains.body()).isEqualTo(200);
      assertThat(domains.body())
          .isEqualTo("{\"clientId\":\"shop\",\"domains\":[\"shop.example\"]}");
      assertThat(Files.list(data).map(p -> p.getFileName().toString()))
          .contains("ums.mv.db", "keyset.json", "index-key", "key-pepper");
      for (String secret : new String[] {"keyset.json", "index-key", "key-pepper"}) {
        assertThat(
                PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve(secret))))
            .as(secret)
            .isEqualTo("rw-------");
      }
      assertThat(output.getAll()).doesNotContain("generated security password");
    }
  }
}
