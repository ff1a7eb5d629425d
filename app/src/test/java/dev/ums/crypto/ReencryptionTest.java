package dev.ums.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.ums.security.ContentCipher;
import dev.ums.security.RecipientIndex;
import dev.ums.suppression.Suppressions;
import dev.ums.testing.Db;
import dev.ums.testing.Http;
import dev.ums.testing.ManualDispatch;
import dev.ums.testing.UmsIntegrationTest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import tools.jackson.databind.json.JsonMapper;

/**
 * Key rotation end to end: messages sealed with the old key, a keyset with a new primary, the
 * re-encryption run, and then a keyset holding only the new key opens every row.
 */
@UmsIntegrationTest
class ReencryptionTest {

  @Autowired Http http;
  @Autowired Db db;
  @Autowired ContentCipher appCipher;
  @Autowired dev.ums.ledger.Ledger ledger;
  @Autowired RecipientIndex index;
  @Autowired JsonMapper json;
  @Autowired ManualDispatch dispatch;
  @Autowired Suppressions suppressions;

  /** The keyset the test application runs with (its dev keyset). */
  private static KeysetHandle oldKeyset() throws Exception {
    AeadConfig.register();
    return TinkJsonProtoKeysetFormat.parseKeyset(
        Files.readString(Path.of("target/test-keyset.json")), InsecureSecretKeyAccess.get());
  }

  private static String json(KeysetHandle h) throws Exception {
    return TinkJsonProtoKeysetFormat.serializeKeyset(h, InsecureSecretKeyAccess.get());
  }

  private List<UUID> sendSome(int n) {
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      Http.Answer a =
          http.postJson(
              "/api/messages",
              "{\"to\": [\"r"
                  + i
                  + "@rotate.test\"], \"subject\": \"s"
                  + i
                  + "\", \"text\": \"t\"}");
      assertThat(a.status()).as(a.body()).isEqualTo(202);
      ids.add(UUID.fromString(a.json().get("id").asString()));
    }
    return ids;
  }

  private byte[] column(String column, UUID id) {
    return db.jdbc()
        .queryForObject("SELECT " + column + " FROM message WHERE id = ?", byte[].class, id);
  }

  @Test
  void re_encrypts_every_row_so_the_old_key_can_then_be_dropped() throws Exception {
    List<UUID> ids = sendSome(Reencryption.BATCH + 20);
    UUID withRefusals = ids.get(3);
    dispatch.sent(
        withRefusals,
        Instant.now(),
        appCipher.sealRefused(withRefusals, "[\"x\"]".getBytes(StandardCharsets.UTF_8)));
    Map<UUID, String> plain = new HashMap<>();
    for (UUID id : ids) {
      plain.put(id, new String(appCipher.open(id, column("content", id)), StandardCharsets.UTF_8));
    }

    // Rotate: a new primary key; the old one stays to read old rows.
    KeysetHandle old = oldKeyset();
    KeysetHandle rotated =
        KeysetHandle.newBuilder(old)
            .addEntry(
                KeysetHandle.generateEntryFromParameters(PredefinedAeadParameters.AES256_GCM)
                    .withRandomId()
                    .makePrimary())
            .build();
    KeysetHandle newOnly =
        KeysetHandle.newBuilder()
            .addEntry(
                KeysetHandle.importKey(rotated.getPrimary().getKey())
                    .withFixedId(rotated.getPrimary().getId())
                    .makePrimary())
            .build();
    ContentCipher during = ContentCipher.fromKeysetJson(json(rotated));
    ContentCipher after = ContentCipher.fromKeysetJson(json(newOnly));
    assertThatThrownBy(() -> after.open(ids.get(0), column("content", ids.get(0))))
        .as("before re-encryption the new key alone cannot read old rows")
        .isInstanceOf(IllegalStateException.class);

    Reencryption run = new Reencryption(db.jdbc(), ledger, during, index, json, suppressions);
    assertThat(run.remaining()).isEqualTo(ids.size());
    List<Reencryption.Progress> reports = new ArrayList<>();
    Reencryption.Progress done = run.run(false, reports::add);

    assertThat(done.rewritten()).isEqualTo(ids.size());
    assertThat(done.remaining()).isZero();
    assertThat(reports).hasSize(2);
    assertThat(reports.get(0).scanned()).isEqualTo(Reencryption.BATCH);
    assertThat(reports.get(1).scanned()).isEqualTo(ids.size());
    assertThat(reports.get(1).total()).isEqualTo(ids.size());
    // The old key is gone: every row still opens, with the same content.
    for (UUID id : ids) {
      assertThat(new String(after.open(id, column("content", id)), StandardCharsets.UTF_8))
          .isEqualTo(plain.get(id));
    }
    assertThat(
            new String(
                after.openRefused(withRefusals, column("refused_recipients", withRefusals)),
                StandardCharsets.UTF_8))
        .isEqualTo("[\"x\"]");
    // A second run has nothing to do.
    assertThat(
            new Reencryption(db.jdbc(), ledger, after, index, json, suppressions)
                .run(false, p -> {})
                .rewritten())
        .isZero();
  }

  @Test
  void fills_missing_index_digests_and_skips_dropped_content() {
    List<UUID> ids = sendSome(3);
    // A row from before the blind index existed: the ledger never writes one without digests.
    db.jdbc().update("UPDATE message SET recipient_digests = NULL WHERE id = ?", ids.get(0));
    // Sent long ago and its content dropped by retention, which forgets the digests too.
    Instant now = Instant.now();
    dispatch.sent(ids.get(1), now.minus(Duration.ofDays(40)), null);
    assertThat(
            ledger.dropContent(
                now.minus(Duration.ofDays(30)), "{}".getBytes(StandardCharsets.UTF_8), now, 10))
        .isEqualTo(1);
    assertThat(http.get("/api/admin/messages?recipient=r0@rotate.test").json().get("items"))
        .isEmpty();

    Reencryption.Progress done =
        new Reencryption(db.jdbc(), ledger, appCipher, index, json, suppressions)
            .run(false, p -> {});

    assertThat(done.rewritten()).isEqualTo(1);
    assertThat(done.remaining()).isZero();
    assertThat(http.get("/api/admin/messages?recipient=r0@rotate.test").json().get("items"))
        .hasSize(1);
  }

  @Test
  void the_admin_job_runs_in_the_background_and_reports_progress() {
    sendSome(3);
    Http.Answer started = http.postJson("/api/admin/crypto/reencrypt?reindex=true", "");
    assertThat(started.status()).as(started.body()).isEqualTo(202);

    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                http.get("/api/admin/crypto/reencrypt")
                    .json()
                    .get("state")
                    .asString()
                    .equals("DONE"));
    var status = http.get("/api/admin/crypto/reencrypt").json();
    assertThat(status.get("reindex").asBoolean()).isTrue();
    assertThat(status.get("progress").get("scanned").asLong()).isEqualTo(3);
    assertThat(status.get("progress").get("rewritten").asLong()).isEqualTo(3);
    assertThat(status.get("progress").get("remaining").asLong()).isZero();
  }
}
