package dev.ums.security;

import dev.ums.support.Mode;
import dev.ums.web.FieldProblem;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;

/**
 * The blind index: HMAC-SHA256 digests of recipient addresses and domains, stored beside the
 * encrypted content ({@code message.recipient_digests}) so an admin can find the messages of one
 * address or domain with an indexed look-up instead of decrypting every row.
 *
 * <p>An address is normalised to its lower-case addr-spec ({@code Ann <Ann@Example.com>} and {@code
 * ann@example.com} match); a domain to lower case without a leading {@code @}. The digest of an
 * address and of a domain are kept apart by a prefix, so neither can stand for the other. The key
 * is separate from the encryption keyset (rotating the AEAD keyset leaves the index valid);
 * changing the index key needs {@code java -jar ums.jar crypto reencrypt --reindex}. What the index
 * reveals to someone with the database alone: which messages share a recipient or a domain, never
 * the address itself.
 *
 * <p>Keys used before the current one ({@code ums.crypto.previous-index-keys}) serve only {@link
 * #addressDigests}: digests stored without the address beside them (the suppression list) cannot be
 * recomputed after a key change, so they are looked up under every key and re-keyed when found.
 * Everything else digests under the current key alone.
 */
@Component
public class RecipientIndex {

  private static final Logger log = LoggerFactory.getLogger(RecipientIndex.class);
  private static final String HMAC = "HmacSHA256";

  /** 128 bits of the HMAC: collisions are negligible and the column stays narrow. */
  private static final int DIGEST_BYTES = 16;

  private static final String PREVIOUS = "ums.crypto.previous-index-keys";

  /** The current key first, then the previous keys in their configured order. */
  private final List<SecretKeySpec> keys;

  /**
   * Mac.getInstance looks the provider up on every call; one initialised Mac per key and thread.
   */
  private final ThreadLocal<Mac[]> macs = ThreadLocal.withInitial(this::newMacs);

  @Autowired
  RecipientIndex(CryptoProperties props, Mode mode) {
    this(loadKey(props, mode), loadPrevious(props));
  }

  private RecipientIndex(byte[] key, List<byte[]> previous) {
    if (key.length < 32) {
      throw new IllegalStateException("ums.crypto.index-key must be at least 32 bytes (base64)");
    }
    List<SecretKeySpec> all = new ArrayList<>(1 + previous.size());
    all.add(new SecretKeySpec(key, HMAC));
    for (int i = 0; i < previous.size(); i++) {
      byte[] p = previous.get(i);
      if (p.length < 32) {
        throw new IllegalStateException(
            PREVIOUS + "[" + i + "] must be at least 32 bytes (base64)");
      }
      if (Arrays.equals(p, key)) {
        throw new IllegalStateException(
            PREVIOUS
                + "["
                + i
                + "] equals the current ums.crypto.index-key: list only keys no longer in use");
      }
      for (int j = 0; j < i; j++) {
        if (Arrays.equals(p, previous.get(j))) {
          throw new IllegalStateException(
              PREVIOUS + "[" + i + "] repeats " + PREVIOUS + "[" + j + "]");
        }
      }
      all.add(new SecretKeySpec(p, HMAC));
    }
    this.keys = List.copyOf(all);
  }

  /** An index over {@code key} (raw bytes, at least 32), for tools and tests. */
  public static RecipientIndex withKey(byte[] key) {
    return new RecipientIndex(key.clone(), List.of());
  }

  /**
   * An index over {@code key} that also looks addresses up under {@code previous} keys (each at
   * least 32 bytes, none equal to {@code key}), for tools and tests.
   */
  public static RecipientIndex withKeys(byte[] key, byte[]... previous) {
    return new RecipientIndex(key.clone(), Arrays.stream(previous).map(byte[]::clone).toList());
  }

  /** Whether previous keys are configured: without them {@link #addressDigests} is one digest. */
  public boolean hasPreviousKeys() {
    return keys.size() > 1;
  }

  /**
   * The digests to store for a message: one per distinct address and one per distinct domain of
   * {@code recipients}, in a stable order.
   */
  public String[] digests(Collection<String> recipients) {
    Set<String> out = new LinkedHashSet<>();
    List<String> domains = new ArrayList<>();
    for (String r : recipients) {
      String address = normalizeAddress(r);
      if (address == null) {
        continue;
      }
      out.add(digest("a:" + address));
      domains.add(address.substring(address.lastIndexOf('@') + 1));
    }
    for (String d : domains) {
      out.add(digest("d:" + d));
    }
    return out.toArray(String[]::new);
  }

  /** The digest to look up {@code address}, or null if it is not an address. */
  public String address(String address) {
    String a = normalizeAddress(address);
    return a == null ? null : digest("a:" + a);
  }

  /**
   * The digests {@code address} may be stored under: its digest under the current key ({@link
   * #address}) first, then under each previous key in configured order; empty if it is not an
   * address. For stored digests that cannot be recomputed after a key change (suppression entries).
   */
  public List<String> addressDigests(String address) {
    String a = normalizeAddress(address);
    if (a == null) {
      return List.of();
    }
    Mac[] all = macs.get();
    List<String> out = new ArrayList<>(all.length);
    for (Mac m : all) {
      out.add(digest(m, "a:" + a));
    }
    return out;
  }

  /** The digest to look up {@code domain} ({@code example.com} or {@code @example.com}). */
  public String domain(String domain) {
    String d = normalizeDomain(domain);
    return d == null ? null : digest("d:" + d);
  }

  /**
   * The digests a look-up by {@code recipient} and/or {@code domain} must all carry (empty when
   * neither is given); a recipient that is not an address adds a problem to {@code errors}.
   */
  public List<String> filter(String recipient, String domain, List<FieldProblem> errors) {
    List<String> digests = new ArrayList<>(2);
    if (recipient != null && !recipient.isBlank()) {
      String d = address(recipient);
      if (d == null) {
        errors.add(FieldProblem.of("recipient", "must be an email address"));
      } else {
        digests.add(d);
      }
    }
    String d = domain(domain);
    if (d != null) {
      digests.add(d);
    }
    return digests;
  }

  /** {@code Ann <Ann@Example.com>} → {@code ann@example.com}; null without an {@code @}. */
  static String normalizeAddress(String address) {
    if (address == null) {
      return null;
    }
    String a = address.trim();
    int lt = a.lastIndexOf('<');
    if (lt >= 0) {
      int gt = a.indexOf('>', lt);
      a = a.substring(lt + 1, gt < 0 ? a.length() : gt).trim();
    }
    int at = a.lastIndexOf('@');
    if (at <= 0 || at == a.length() - 1) {
      return null;
    }
    return a.toLowerCase(Locale.ROOT);
  }

  /** A domain as a person gives it: trimmed, lower case, without a leading {@code @}. */
  public static String normalizeDomain(String domain) {
    if (domain == null) {
      return null;
    }
    String d = domain.trim().toLowerCase(Locale.ROOT);
    if (d.startsWith("@")) {
      d = d.substring(1);
    }
    return d.isEmpty() ? null : d;
  }

  private String digest(String value) {
    return digest(macs.get()[0], value);
  }

  private static String digest(Mac mac, String value) {
    // doFinal resets the Mac for the next value under the same key.
    byte[] full = mac.doFinal(value.getBytes(StandardCharsets.UTF_8));
    return HexFormat.of().formatHex(full, 0, DIGEST_BYTES);
  }

  private Mac[] newMacs() {
    try {
      Mac[] out = new Mac[keys.size()];
      for (int i = 0; i < out.length; i++) {
        out[i] = Mac.getInstance(HMAC);
        out[i].init(keys.get(i));
      }
      return out;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 unavailable", e);
    }
  }

  /** {@code ums.crypto.previous-index-keys}, decoded; blank entries (an empty list) are none. */
  private static List<byte[]> loadPrevious(CryptoProperties props) {
    List<String> configured = props.previousIndexKeys();
    if (configured == null) {
      return List.of();
    }
    List<byte[]> out = new ArrayList<>(configured.size());
    for (int i = 0; i < configured.size(); i++) {
      String k = configured.get(i);
      if (k == null || k.isBlank()) {
        continue;
      }
      try {
        out.add(Base64.getDecoder().decode(k.trim()));
      } catch (IllegalArgumentException e) {
        throw new IllegalStateException(PREVIOUS + "[" + i + "] is not valid base64", e);
      }
    }
    return out;
  }

  private static byte[] loadKey(CryptoProperties props, Mode mode) {
    try {
      if (props.indexKey() != null && !props.indexKey().isBlank()) {
        return Base64.getDecoder().decode(props.indexKey().trim());
      }
      if (props.indexKeyFile() != null && !props.indexKeyFile().isBlank()) {
        return Base64.getDecoder().decode(Files.readString(Path.of(props.indexKeyFile())).trim());
      }
      if (!mode.development()) {
        throw new IllegalStateException(
            "No blind-index key: set ums.crypto.index-key or ums.crypto.index-key-file"
                + " (or the Spring profile dev for a local setup)");
      }
      Path path = Path.of(props.devKeysetPath()).toAbsolutePath().resolveSibling("index-key");
      if (Files.exists(path)) {
        return Base64.getDecoder().decode(SecretFiles.read(path).trim());
      }
      byte[] key = new byte[32];
      new SecureRandom().nextBytes(key);
      key =
          Base64.getDecoder()
              .decode(
                  SecretFiles.createOrRead(path, Base64.getEncoder().encodeToString(key)).trim());
      log.warn(
          "event=dev_index_key_generated path={} (development only: configure"
              + " ums.crypto.index-key in production)",
          path);
      return key;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException("ums.crypto.index-key is not valid base64", e);
    }
  }
}
