package dev.ums.security;

import com.google.crypto.tink.Aead;
import com.google.crypto.tink.InsecureSecretKeyAccess;
import com.google.crypto.tink.KeysetHandle;
import com.google.crypto.tink.RegistryConfiguration;
import com.google.crypto.tink.TinkJsonProtoKeysetFormat;
import com.google.crypto.tink.aead.AeadConfig;
import com.google.crypto.tink.aead.PredefinedAeadParameters;
import dev.ums.support.Mode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * Seals personal data at rest (message content: addresses, names, subject, bodies, headers; and
 * refused recipients) with Tink AEAD, AES-256-GCM. The message id is the associated data, so a
 * ciphertext copied into another row does not open. Tink prefixes each ciphertext with its key id:
 * a keyset with a new primary key encrypts new writes while older keys still open old rows.
 *
 * <p>The keyset comes from {@code ums.crypto.keyset} (JSON) or {@code ums.crypto.keyset-file},
 * never from the database. Without one, development mode (the Spring profile {@code dev}) generates
 * a keyset at {@code ums.crypto.dev-keyset-path} (readable by its owner only) and warns that it is
 * for development; anywhere else start-up stops.
 */
@Component
public class ContentCipher {

  private static final Logger log = LoggerFactory.getLogger(ContentCipher.class);
  private static final byte[] REFUSED = "refused".getBytes(StandardCharsets.US_ASCII);

  private final Aead aead;
  private final int primaryKeyId;

  @Autowired
  ContentCipher(CryptoProperties props, Mode mode) {
    this(load(props, mode));
  }

  private ContentCipher(KeysetHandle keyset) {
    try {
      this.aead = keyset.getPrimitive(RegistryConfiguration.get(), Aead.class);
      this.primaryKeyId = keyset.getPrimary().getId();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ums.crypto keyset is not a usable AEAD keyset", e);
    }
  }

  /** A cipher over a keyset given as Tink JSON, outside Spring (tools and tests). */
  public static ContentCipher fromKeysetJson(String json) {
    try {
      AeadConfig.register();
      return new ContentCipher(
          TinkJsonProtoKeysetFormat.parseKeyset(json, InsecureSecretKeyAccess.get()));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("not a Tink JSON keyset", e);
    }
  }

  /**
   * Whether {@code ciphertext} was sealed with the keyset's primary key, read from the key id
   * prefix Tink writes (byte 1, then the 4-byte key id). A ciphertext of an older key needs
   * re-encryption before that key may leave the keyset.
   */
  public boolean sealedWithPrimary(byte[] ciphertext) {
    return ciphertext != null
        && ciphertext.length > 5
        && ciphertext[0] == 1
        && ByteBuffer.wrap(ciphertext, 1, 4).getInt() == primaryKeyId;
  }

  /** Encrypts a message's content, bound to its id. */
  public byte[] seal(UUID messageId, byte[] plaintext) {
    try {
      return aead.encrypt(plaintext, aad(messageId, null));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  /**
   * Decrypts content sealed for {@code messageId}.
   *
   * @throws IllegalStateException if the ciphertext belongs to another row, was altered, or no key
   *     in the keyset opens it
   */
  public byte[] open(UUID messageId, byte[] ciphertext) {
    try {
      return aead.decrypt(ciphertext, aad(messageId, null));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("content of message " + messageId + " does not decrypt");
    }
  }

  /** Encrypts the refused-recipients list, bound to the message id and its own purpose. */
  public byte[] sealRefused(UUID messageId, byte[] plaintext) {
    try {
      return aead.encrypt(plaintext, aad(messageId, REFUSED));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("encryption failed", e);
    }
  }

  /** Decrypts what {@link #sealRefused} sealed for {@code messageId}. */
  public byte[] openRefused(UUID messageId, byte[] ciphertext) {
    try {
      return aead.decrypt(ciphertext, aad(messageId, REFUSED));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("refused recipients of " + messageId + " do not decrypt");
    }
  }

  private static byte[] aad(UUID id, byte[] purpose) {
    ByteBuffer b = ByteBuffer.allocate(16 + (purpose == null ? 0 : purpose.length));
    b.putLong(id.getMostSignificantBits()).putLong(id.getLeastSignificantBits());
    if (purpose != null) {
      b.put(purpose);
    }
    return b.array();
  }

  private static KeysetHandle load(CryptoProperties props, Mode mode) {
    try {
      AeadConfig.register();
      if (props.keyset() != null && !props.keyset().isBlank()) {
        return TinkJsonProtoKeysetFormat.parseKeyset(props.keyset(), InsecureSecretKeyAccess.get());
      }
      if (props.keysetFile() != null && !props.keysetFile().isBlank()) {
        return TinkJsonProtoKeysetFormat.parseKeyset(
            Files.readString(Path.of(props.keysetFile())), InsecureSecretKeyAccess.get());
      }
      if (!mode.development()) {
        throw new IllegalStateException(
            "No encryption keyset: set ums.crypto.keyset or ums.crypto.keyset-file"
                + " (or the Spring profile dev for a local setup)");
      }
      Path path = Path.of(props.devKeysetPath());
      if (Files.exists(path)) {
        log.warn("event=dev_keyset_loaded path={} (development only)", path);
        return TinkJsonProtoKeysetFormat.parseKeyset(
            SecretFiles.read(path), InsecureSecretKeyAccess.get());
      }
      KeysetHandle h =
          TinkJsonProtoKeysetFormat.parseKeyset(
              SecretFiles.createOrRead(
                  path,
                  TinkJsonProtoKeysetFormat.serializeKeyset(
                      KeysetHandle.generateNew(PredefinedAeadParameters.AES256_GCM),
                      InsecureSecretKeyAccess.get())),
              InsecureSecretKeyAccess.get());
      log.warn(
          "event=dev_keyset_generated path={} (development only: configure ums.crypto.keyset in"
              + " production)",
          path);
      return h;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ums.crypto keyset is not a usable AEAD keyset", e);
    }
  }
}
