package dev.ums;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/** The newcomer's path: no settings at all, H2 under ./data, accepts a message. */
class EmbeddedDefaultTest {

  @TempDir Path workDir;

  @Test
  void the_embedded_default_starts_and_accepts_a_message() throws Exception {
    // The test run points spring.datasource.* at PostgreSQL through system properties; command-line
    // arguments outrank them, so put back exactly what application.yml says, under a temp dir.
    Path data = workDir.resolve("data");
    String[] args = {
      "--server.port=0",
      "--spring.datasource.url=jdbc:h2:file:" + data.resolve("ums") + ";DB_CLOSE_ON_EXIT=FALSE",
      "--spring.datasource.username=sa",
      "--spring.datasource.password="
    };
    try (ConfigurableApplicationContext ctx = SpringApplication.run(UmsApplication.class, args)) {
      int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
      HttpClient client = HttpClient.newHttpClient();
      HttpResponse<String> res =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/messages"))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"to\": [\"ann@example.com\"], \"subject\": \"Hi\", \"text\": \"Hello\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());

      assertThat(res.statusCode()).isEqualTo(202);
      String location = res.headers().firstValue("Location").orElseThrow();
      HttpResponse<String> status =
          client.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + location)).build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(status.statusCode()).isEqualTo(200);
      assertThat(Files.list(data).map(p -> p.getFileName().toString())).contains("ums.mv.db");
    }
  }
}
