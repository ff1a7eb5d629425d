package dev.ums;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.ums.testing.PostgresTestDatabase;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Outside development mode nothing stands in for a missing setting: start-up stops and names every
 * missing one, and a keyset that cannot open the stored mail stops it too.
 */
class ProductionSettingsTest {

  static final SecureRandom RANDOM = new SecureRandom();
  static final String ADMIN = "ums_prod_settings_admin_key_0123456789abcdef";

  static String base64(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return Base64.getEncoder().encodeToString(b);
  }

  static String keyset() throws Exception {
    AeadConfig.register();
    return TinkJsonProtoKeysetFormat.serializeKeyset(
        KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
        InsecureSecretKeyAccess.get());
  }

  static ConfigurableApplicationContext start(List<String> args) {
    return SpringApplication.run(UmsApplication.class, args.toArray(String[]::new));
  }

  @Test
  void without_the_dev_profile_every_missing_setting_is_named_in_one_message() {
    // The test run supplies spring.datasource.url as a system property; blank it here.
    assertThatThrownBy(
            () ->
                start(List.of("--server.port=0", "--spring.datasource.url=", "--ums.smtp.host="))
                    .close())
        .hasStackTraceContaining("spring.datasource.url (the database)")
        .hasStackTraceContaining("ums.smtp.host (the SMTP relay)")
        .hasStackTraceContaining("ums.crypto.keyset or ums.crypto.keyset-file")
        .hasStackTraceContaining("ums.crypto.index-key or ums.crypto.index-key-file")
        .hasStackTraceContaining("ums.security.key-pepper or ums.security.key-pepper-file")
        .hasStackTraceContaining("profile 'dev'");
  }

  @Test
  void a_configured_instance_starts_and_refuses_a_keyset_that_cannot_open_its_mail()
      throws Exception {
    String db = PostgresTestDatabase.create("ums_prod");
    List<String> common =
        List.of(
            "--server.port=0",
            "--spring.datasource.url=" + PostgresTestDatabase.url(db),
            "--ums.smtp.host=127.0.0.1",
            "--ums.smtp.port=1",
            "--ums.dispatch.enabled=false",
            "--ums.crypto.index-key=" + base64(32),
            "--ums.security.key-pepper=" + base64(32),
            "--UMS_BOOTSTRAP_ADMIN_KEY=" + ADMIN);
    try {
      List<String> first = new ArrayList<>(common);
      first.add("--ums.crypto.keyset=" + keyset());
      try (ConfigurableApplicationContext ctx = start(first)) {
        int port = ((WebServerApplicationContext) ctx).getWebServer().getPort();
        HttpResponse<String> r =
            HttpClient.newHttpClient()
                .send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/messages"))
                        .header("Authorization", "Bearer " + ADMIN)
                        .header("Content-Type", "application/json")
                        .POST(
                            HttpRequest.BodyPublishers.ofString(
                                "{\"to\": [\"a@example.com\"], \"text\": \"t\"}"))
                        .build(),
                    HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      }

      List<String> regenerated = new ArrayList<>(common);
      regenerated.add("--ums.crypto.keyset=" + keyset());
      assertThatThrownBy(() -> start(regenerated).close())
          .hasStackTraceContaining("cannot open the newest stored message");
    } finally {
      PostgresTestDatabase.drop(db);
    }
  }

  @Test
  void an_unusable_previous_index_key_stops_start_up_naming_the_setting() throws Exception {
    String db = PostgresTestDatabase.create("ums_prod");
    String current = base64(32);
    List<String> common =
        List.of(
            "--server.port=0",
            "--spring.datasource.url=" + PostgresTestDatabase.url(db),
            "--ums.smtp.host=127.0.0.1",
            "--ums.smtp.port=1",
            "--ums.dispatch.enabled=false",
            "--ums.crypto.keyset=" + keyset(),
            "--ums.crypto.index-key=" + current,
            "--ums.security.key-pepper=" + base64(32),
            "--UMS_BOOTSTRAP_ADMIN_KEY=" + ADMIN);
    try {
      for (String[] bad :
          new String[][] {
            {base64(32) + ",not-base64!", "ums.crypto.previous-index-keys[1] is not valid base64"},
            {base64(31), "ums.crypto.previous-index-keys[0] must be at least 32 bytes"},
            {current, "ums.crypto.previous-index-keys[0] equals the current ums.crypto.index-key"}
          }) {
        List<String> args = new ArrayList<>(common);
        args.add("--ums.crypto.previous-index-keys=" + bad[0]);
        assertThatThrownBy(() -> start(args).close()).hasStackTraceContaining(bad[1]);
      }
    } finally {
      PostgresTestDatabase.drop(db);
    }
  }
}
