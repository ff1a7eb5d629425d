package dev.ums.observability;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.UmsApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import javax.sql.DataSource;
import org.awaitility.Awaitility;
import org.h2.engine.SessionLocal;
import org.h2.jdbc.JdbcConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The embedded H2 closed by a fatal error. H2 then closes its store under the open sessions (what
 * it does after an out-of-memory error while writing): every statement fails with "The database has
 * been closed" while {@code Connection.isValid} still answers true. Readiness must say so.
 */
@ExtendWith(OutputCaptureExtension.class)
class ClosedEmbeddedDatabaseTest {

  @TempDir Path data;

  @Test
  void readiness_turns_503_when_the_embedded_database_is_closed_under_its_connections(
      CapturedOutput output) throws Exception {
    String[] args = {
      "--spring.profiles.active=dev",
      "--server.port=0",
      "--spring.datasource.url=jdbc:h2:mem:closed_db_test;DB_CLOSE_DELAY=-1",
      "--spring.datasource.username=sa",
      "--spring.datasource.password=",
      "--ums.dispatch.enabled=false",
      "--ums.crypto.dev-keyset-path=" + data.resolve("keyset.json")
    };
    try (ConfigurableApplicationContext ctx = SpringApplication.run(UmsApplication.class, args)) {
      int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
      URI readiness = URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness");
      URI health = URI.create("http://127.0.0.1:" + port + "/actuator/health");
      assertThat(status(readiness)).isEqualTo(200);

      DataSource ds = ctx.getBean(DataSource.class);
      try (Connection c = ds.getConnection()) {
        SessionLocal session = (SessionLocal) c.unwrap(JdbcConnection.class).getSession();
        session.getDatabase().getStore().getMvStore().closeImmediately();
        assertThat(c.isValid(1)).as("H2 still calls the connection valid").isTrue();
      }

      Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(status(readiness)).isEqualTo(503));
      assertThat(status(health)).isEqualTo(503);
    }
  }

  @Test
  void no_generated_security_password_is_printed_at_start(CapturedOutput output) {
    String[] args = {
      "--spring.profiles.active=dev",
      "--server.port=0",
      "--spring.datasource.url=jdbc:h2:mem:no_password_test;DB_CLOSE_DELAY=-1",
      "--spring.datasource.username=sa",
      "--spring.datasource.password=",
      "--ums.dispatch.enabled=false",
      "--ums.crypto.dev-keyset-path=" + data.resolve("keyset.json")
    };
    try (ConfigurableApplicationContext ctx = SpringApplication.run(UmsApplication.class, args)) {
      assertThat(output.getAll()).contains("Started ");
      assertThat(output.getAll()).doesNotContain("generated security password");
    }
  }

  private static int status(URI uri) throws Exception {
    return HttpClient.newHttpClient()
        .send(
            HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.discarding())
        .statusCode();
  }
}
