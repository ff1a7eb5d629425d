package dev.ums.security;

import dev.ums.support.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The server-side secret of the API key hashes: a stored hash is HMAC-SHA256(pepper, key), so the
 * {@code api_key} table alone does not let anyone test guesses of a key. It comes from {@code
 * ums.security.key-pepper} (base64, at least 32 bytes) or {@code ums.security.key-pepper-file},
 * never from the database. In development mode (the Spring profile {@code dev}), when none is
 * configured, one is generated beside the development keyset ({@code key-pepper}, mode 0600);
 * anywhere else start-up fails naming the setting.
 */
@Component
final class KeyPepper {

  private static final Logger log = LoggerFactory.getLogger(KeyPepper.class);
  static final String SETTING = "ums.security.key-pepper";

  private final byte[] bytes;

  @Autowired
  KeyPepper(SecurityProperties security, CryptoProperties crypto, Mode mode) {
    this(load(security, crypto, mode));
  }

  private KeyPepper(byte[] bytes) {
    if (bytes.length < 32) {
      throw new IllegalStateException(SETTING + " must be at least 32 bytes (base64)");
    }
    this.bytes = bytes;
  }

  /** A pepper of the given raw bytes (at least 32), for tools and tests. */
  static KeyPepper of(byte[] bytes) {
    return new KeyPepper(bytes.clone());
  }

  byte[] bytes() {
    return bytes.clone();
  }

  private static byte[] load(SecurityProperties security, CryptoProperties crypto, Mode mode) {
    try {
      if (security.keyPepper() != null && !security.keyPepper().isBlank()) {
        return decode(security.keyPepper(), SETTING);
      }
      if (security.keyPepperFile() != null && !security.keyPepperFile().isBlank()) {
        return decode(Files.readString(Path.of(security.keyPepperFile())), SETTING + "-file");
      }
      if (!mode.development()) {
        throw new IllegalStateException(
            "No API key pepper: set "
                + SETTING
                + " or "
                + SETTING
                + "-file (base64, at least 32 bytes; or the Spring profile dev for"
                + " development)");
      }
      Path path = Path.of(crypto.devKeysetPath()).toAbsolutePath().resolveSibling("key-pepper");
      if (Files.exists(path)) {
        return decode(SecretFiles.read(path), path.toString());
      }
      byte[] pepper = new byte[32];
      new SecureRandom().nextBytes(pepper);
      pepper =
          decode(
              SecretFiles.createOrRead(path, Base64.getEncoder().encodeToString(pepper)),
              path.toString());
      log.warn(
          "event=dev_key_pepper_generated path={} (development only: configure {} in production)",
          path,
          SETTING);
      return pepper;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static byte[] decode(String base64, String source) {
    try {
      return Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(source + " is not valid base64", e);
    }
  }
}
