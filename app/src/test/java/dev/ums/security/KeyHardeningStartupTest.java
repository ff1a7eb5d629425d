package dev.ums.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.ums.UmsApplication;
import dev.ums.testing.PostgresTestDatabase;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.JdbcTemplate;
import tools.jackson.databind.json.JsonMapper;

/**
 * API key secrets from start-up on, each test with an application (and database) of its own: no
 * part of a key is logged, listed or audited; stored hashes are peppered; weak bootstrap keys and a
 * missing pepper stop start-up; rows from before the pepper keep working and are re-hashed.
 */
@ExtendWith(OutputCaptureExtension.class)
class KeyHardeningStartupTest {

  static final String MAIL = "{\"to\": [\"ann@example.com\"], \"text\": \"hi\"}";
  static final SecureRandom RANDOM = new SecureRandom();
  static final HttpClient CLIENT = HttpClient.newHttpClient();
  static final JsonMapper JSON = JsonMapper.builder().build();

  @TempDir Path data;

  static String randomKey() {
    byte[] b = new byte[24];
    RANDOM.nextBytes(b);
    return "ums_" + Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  List<String> args(String db, String... more) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "--server.port=0",
                "--spring.datasource.url=" + PostgresTestDatabase.url(db),
                "--ums.dispatch.enabled=false",
                "--spring.profiles.active=dev",
                "--ums.crypto.dev-keyset-path=" + data.resolve("keyset.json")));
    a.addAll(List.of(more));
    return a;
  }

  static ConfigurableApplicationContext start(List<String> args) {
    return SpringApplication.run(UmsApplication.class, args.toArray(String[]::new));
  }

  @Test
  void no_log_line_listing_or_audit_actor_holds_any_12_characters_of_a_key(CapturedOutput output)
      throws Exception {
    String admin = randomKey();
    String db = PostgresTestDatabase.create("ums_keys");
    try (ConfigurableApplicationContext ctx =
        start(args(db, "--UMS_BOOTSTRAP_ADMIN_KEY=" + admin))) {
      String base = base(ctx);
      HttpResponse<String> created =
          post(base, "/api/admin/keys", admin, "{\"clientId\": \"shop\", \"role\": \"SENDER\"}");
      assertThat(created.statusCode()).isEqualTo(201);
      String sender = JSON.readTree(created.body()).get("key").asString();
      String senderId = JSON.readTree(created.body()).get("info").get("id").asString();
      assertThat(post(base, "/api/messages", sender, MAIL).statusCode()).isEqualTo(202);
      assertThat(post(base, "/api/admin/keys/" + senderId + "/revoke", admin, "{}").statusCode())
          .isEqualTo(200);
      String listing = get(base, "/api/admin/keys", admin).body();
      String audit = get(base, "/api/admin/audit", admin).body();
      ByteArrayOutputStream cli = new ByteArrayOutputStream();
      new KeyCommand(ctx.getBean(ApiKeys.class), ctx.getBean(AuditLog.class))
          .run(List.of("keys", "list"), new PrintStream(cli, true, StandardCharsets.UTF_8));
      JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
      String actors =
          String.join("\n", jdbc.queryForList("SELECT actor FROM audit_event", String.class));
      String labels =
          String.join("\n", jdbc.queryForList("SELECT label FROM api_key", String.class));

      assertThat(audit).contains("key.create", "key.revoke", "admin/key_");
      for (String key : List.of(admin, sender)) {
        for (int i = 0; i + 12 <= key.length(); i++) {
          String part = key.substring(i, i + 12);
          assertThat(output.getAll()).as("log").doesNotContain(part);
          assertThat(listing).as("listing").doesNotContain(part);
          assertThat(audit).as("audit").doesNotContain(part);
          assertThat(actors).as("audit actors").doesNotContain(part);
          assertThat(labels).as("labels").doesNotContain(part);
          assertThat(cli.toString(StandardCharsets.UTF_8)).as("keys list").doesNotContain(part);
        }
        // Stored as HMAC-SHA256 with the pepper: the plain SHA-256 of the key matches no row.
        assertThat(
                jdbc.queryForObject(
                    "SELECT COUNT(*) FROM api_key WHERE key_hash = ?",
                    Integer.class,
                    ApiKeys.legacyHash(key)))
            .isZero();
        assertThat(
                jdbc.queryForObject(
                    "SELECT COUNT(*) FROM api_key WHERE key_hash = ?",
                    Integer.class,
                    ctx.getBean(ApiKeys.class).hash(key)))
            .isEqualTo(1);
      }
    } finally {
      PostgresTestDatabase.drop(db);
    }
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "short, ums_Ab3dEf6hIj9kLm2nOp5q, must be at least 32 characters",
    "one letter repeated, ums_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, too predictable",
    "a word repeated, ums_abcdefghabcdefghabcdefghabcdefgh, too predictable",
    "no ums_ prefix, my-very-own-admin-key-XYZ-0123456789-long, must be ums_ followed by",
    "other characters, ums_Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4z+/=, must be ums_ followed by"
  })
  void a_weak_bootstrap_key_stops_start_up_naming_the_setting(
      String why, String key, String message) {
    assertThatThrownBy(
            () ->
                start(
                        List.of(
                            "--server.port=0",
                            "--spring.profiles.active=dev",
                            "--spring.datasource.url=jdbc:h2:mem:weak_key;DB_CLOSE_DELAY=-1",
                            "--spring.datasource.username=sa",
                            "--spring.datasource.password=",
                            "--ums.dispatch.enabled=false",
                            "--ums.crypto.dev-keyset-path=" + data.resolve("keyset.json"),
                            "--UMS_BOOTSTRAP_ADMIN_KEY=" + key))
                    .close())
        .hasStackTraceContaining("UMS_BOOTSTRAP_ADMIN_KEY")
        .hasStackTraceContaining(message);
  }

  @Test
  void postgresql_without_a_key_pepper_stops_start_up_naming_the_setting() throws Exception {
    AeadConfig.register();
    String keyset =
        TinkJsonProtoKeysetFormat.serializeKeyset(
            KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
            InsecureSecretKeyAccess.get());
    byte[] index = new byte[32];
    RANDOM.nextBytes(index);
    String db = PostgresTestDatabase.create("ums_pepper");
    try {
      assertThatThrownBy(
              () ->
                  start(
                          List.of(
                              "--server.port=0",
                              "--spring.datasource.url=" + PostgresTestDatabase.url(db),
                              "--ums.dispatch.enabled=false",
                              "--ums.smtp.host=127.0.0.1",
                              "--ums.crypto.keyset=" + keyset,
                              "--ums.crypto.index-key="
                                  + Base64.getEncoder().encodeToString(index)))
                      .close())
          .hasStackTraceContaining(
              "Missing settings (UMS is not in development mode, so nothing stands in for them;")
          .hasStackTraceContaining(
              "ums.security.key-pepper or ums.security.key-pepper-file (the API-key pepper)");
    } finally {
      PostgresTestDatabase.drop(db);
    }
  }

  @Test
  void a_key_stored_before_the_pepper_still_works_and_is_rehashed_on_first_use() throws Exception {
    String db = PostgresTestDatabase.create("ums_legacy");
    String legacy = randomKey();
    UUID id = UUID.randomUUID();
    try {
      Flyway.configure()
          .dataSource(
              PostgresTestDatabase.url(db),
              PostgresTestDatabase.user(),
              System.getProperty("spring.datasource.password", ""))
          .locations("classpath:db/migration/postgresql")
          .target("12")
          .load()
          .migrate();
      JdbcTemplate old =
          new JdbcTemplate(
              new org.springframework.jdbc.datasource.DriverManagerDataSource(
                  PostgresTestDatabase.url(db),
                  PostgresTestDatabase.user(),
                  System.getProperty("spring.datasource.password", "")));
      old.update(
          "INSERT INTO api_key (id, client_id, name, prefix, key_hash, role, created_at)"
              + " VALUES (?, 'shop', 'old', ?, ?, 'SENDER', now())",
          id,
          legacy.substring(0, 12),
          ApiKeys.legacyHash(legacy));
      old.update(
          "INSERT INTO audit_event (actor, action, target, outcome, occurred_at)"
              + " VALUES (?, 'key.create', 'x', 'OK', now())",
          "shop/" + legacy.substring(0, 12));

      try (ConfigurableApplicationContext ctx = start(args(db))) {
        String base = base(ctx);
        JdbcTemplate jdbc = ctx.getBean(JdbcTemplate.class);
        assertThat(jdbc.queryForObject("SELECT label FROM api_key WHERE id = ?", String.class, id))
            .isEqualTo(ApiKeys.label(id));
        assertThat(jdbc.queryForList("SELECT actor FROM audit_event", String.class))
            .containsExactly("shop/" + ApiKeys.label(id));

        assertThat(post(base, "/api/messages", legacy, MAIL).statusCode()).isEqualTo(202);

        assertThat(
                jdbc.queryForObject("SELECT key_hash FROM api_key WHERE id = ?", String.class, id))
            .isEqualTo(ctx.getBean(ApiKeys.class).hash(legacy))
            .isNotEqualTo(ApiKeys.legacyHash(legacy));
        assertThat(
                jdbc.queryForObject(
                    "SELECT legacy_hash FROM api_key WHERE id = ?", Boolean.class, id))
            .isFalse();
        ctx.getBean(ApiKeys.class).revoke(UUID.randomUUID()); // clears the verified-key cache
        assertThat(post(base, "/api/messages", legacy, MAIL).statusCode()).isEqualTo(202);
      }
    } finally {
      PostgresTestDatabase.drop(db);
    }
  }

  static String base(ConfigurableApplicationContext ctx) {
    return "http://127.0.0.1:" + ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }

  static HttpResponse<String> post(String base, String path, String key, String json)
      throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + key)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  static HttpResponse<String> get(String base, String path, String key) throws Exception {
    return CLIENT.send(
        HttpRequest.newBuilder(URI.create(base + path))
            .header("Authorization", "Bearer " + key)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
