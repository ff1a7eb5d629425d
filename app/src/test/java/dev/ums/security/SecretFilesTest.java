package dev.ums.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated development secrets are readable by their owner only. */
class SecretFilesTest {

  @TempDir Path dir;

  @Test
  void generated_keyset_index_key_and_pepper_are_created_0600() throws Exception {
    CryptoProperties crypto =
        new CryptoProperties(
            null, null, null, null, List.of(), dir.resolve("keyset.json").toString());
    SecurityProperties security = security();

    new ContentCipher(crypto, dev.ums.support.Mode.DEVELOPMENT);
    new RecipientIndex(crypto, dev.ums.support.Mode.DEVELOPMENT);
    new KeyPepper(security, crypto, dev.ums.support.Mode.DEVELOPMENT);

    for (String name : new String[] {"keyset.json", "index-key", "key-pepper"}) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve(name))))
          .as(name)
          .isEqualTo("rw-------");
    }
  }

  @Test
  void an_existing_world_readable_secret_is_narrowed_to_0600_when_loaded() throws Exception {
    Path pepper = dir.resolve("key-pepper");
    Files.writeString(pepper, java.util.Base64.getEncoder().encodeToString(new byte[32]));
    Files.setPosixFilePermissions(pepper, PosixFilePermissions.fromString("rw-r--r--"));
    CryptoProperties crypto =
        new CryptoProperties(
            null, null, null, null, List.of(), dir.resolve("keyset.json").toString());

    new KeyPepper(security(), crypto, dev.ums.support.Mode.DEVELOPMENT);

    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(pepper)))
        .isEqualTo("rw-------");
  }

  static SecurityProperties security() {
    return new SecurityProperties(
        false, null, null, 2, 20, 10_000, java.time.Duration.ofSeconds(10), 10_000);
  }
}
