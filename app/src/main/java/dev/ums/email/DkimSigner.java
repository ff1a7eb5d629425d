package dev.ums.email;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.eclipse.angus.mail.util.CRLFOutputStream;

/**
 * DKIM (RFC 6376) signatures for rendered messages: {@code rsa-sha256} or {@code ed25519-sha256}
 * (RFC 8463), {@code relaxed/relaxed} canonicalisation, one key per configured sending domain.
 * Immutable and thread-safe once loaded.
 *
 * <p>The signature covers the bytes that go on the wire: the rendered header block and the rendered
 * body written through the same CRLF normalisation the SMTP stream applies (dot-stuffing is SMTP's
 * and is undone by the receiver). The body is hashed as it is written, attachments base64-encoded
 * on the way, so a large attachment is not copied to be signed.
 *
 * <p>Why not a library: simple-java-mail's {@code utils-mail-dkim} signs a Jakarta {@code
 * MimeMessage} by copying it (the copy parses the whole message), re-serialising it with {@code
 * saveChanges()} and canonicalising the body as one {@code String}; that is the model {@link
 * MimeBuilder} exists to avoid, would change the bytes it renders, and holds each attachment
 * several times in memory. Its Ed25519 path needs the unmaintained {@code net.i2p.crypto:eddsa}
 * rather than the JDK's own. Apache James jDKIM has no Ed25519. So canonicalisation is here (about
 * a hundred lines), and tests check every signature with jDKIM, an independent implementation.
 *
 * <p>Failure modes: a missing, unreadable or unsupported key file stops start-up ({@link #load})
 * naming its setting. A message whose {@code From} domain has no key (and no configured parent
 * domain) is sent unsigned.
 */
public final class DkimSigner {

  /** Headers signed when present, in this order (RFC 6376 §5.4.1's recommended set, trimmed). */
  private static final List<String> SIGNED =
      List.of(
          "from",
          "reply-to",
          "subject",
          "date",
          "to",
          "cc",
          "message-id",
          "mime-version",
          "content-type");

  private static final Set<String> SIGNED_SET = Set.copyOf(SIGNED);

  private static final DkimSigner NONE = new DkimSigner(Map.of());

  private final Map<String, DomainKey> keys;

  private DkimSigner(Map<String, DomainKey> keys) {
    this.keys = Map.copyOf(keys);
  }

  /** A signer with no keys: every message is sent unsigned. */
  public static DkimSigner none() {
    return NONE;
  }

  /**
   * Reads every configured key file.
   *
   * @throws IllegalStateException naming the setting whose key file is missing, unreadable, not a
   *     PEM PKCS#8 RSA or Ed25519 key, or an RSA key shorter than 2048 bits
   */
  public static DkimSigner load(DkimProperties props) {
    Map<String, DomainKey> keys = new HashMap<>();
    for (DkimProperties.Domain d : props.signingDomains().values()) {
      keys.put(d.domain(), new DomainKey(d.domain(), d.selector(), readKey(d)));
    }
    return new DkimSigner(keys);
  }

  /** A signer for the given domain, selector and key (tests and the benchmark). */
  public static DkimSigner of(String domain, String selector, PrivateKey key) {
    String d = domain.toLowerCase(Locale.ROOT);
    return new DkimSigner(Map.of(d, new DomainKey(d, selector, key)));
  }

  /** Whether any domain has a key. */
  public boolean enabled() {
    return !keys.isEmpty();
  }

  /** The key for {@code domain} or its nearest configured parent domain, or null. */
  DomainKey keyFor(String domain) {
    if (keys.isEmpty() || domain == null) {
      return null;
    }
    String d = domain.toLowerCase(Locale.ROOT);
    while (true) {
      DomainKey k = keys.get(d);
      if (k != null) {
        return k;
      }
      int dot = d.indexOf('.');
      if (dot < 0) {
        return null;
      }
      d = d.substring(dot + 1);
    }
  }

  /** One signing domain's selector and private key. */
  record DomainKey(String domain, String selector, PrivateKey key) {

    boolean ed25519() {
      return !(key instanceof RSAPrivateKey);
    }

    @Override
    public String toString() {
      return "DomainKey[" + domain + ", " + selector + "]";
    }
  }

  /** Writes a message body (everything after the blank line that ends the headers). */
  interface Body {
    void writeTo(OutputStream out) throws IOException;
  }

  /**
   * The {@code DKIM-Signature} header line (ending in CRLF) to put on top of a message.
   *
   * @param head the header block, each field ending in CRLF, without the blank line
   * @param body writes the body as rendered
   */
  static byte[] sign(DomainKey key, byte[] head, Body body, Instant now)
      throws IOException, GeneralSecurityException {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    RelaxedBody canon = new RelaxedBody(sha);
    CRLFOutputStream crlf = new CRLFOutputStream(canon);
    body.writeTo(crlf);
    crlf.flush();
    canon.close();
    String bodyHash = Base64.getEncoder().encodeToString(sha.digest());

    List<String[]> fields = fields(head);
    List<String> names = new ArrayList<>();
    StringBuilder signed = new StringBuilder(head.length);
    for (String name : SIGNED) {
      for (int i = fields.size() - 1; i >= 0; i--) { // the last instance (RFC 6376 §5.4.2)
        if (fields.get(i)[0].equals(name)) {
          names.add(name);
          signed.append(name).append(':').append(relaxedValue(fields.get(i)[1])).append("\r\n");
          break;
        }
      }
    }
    String value =
        "v=1; a="
            + (key.ed25519() ? "ed25519-sha256" : "rsa-sha256")
            + "; c=relaxed/relaxed; d="
            + key.domain()
            + "; s="
            + key.selector()
            + ";\r\n\tt="
            + now.getEpochSecond()
            + "; h="
            + String.join(":", names)
            + ";\r\n\tbh="
            + bodyHash
            + ";\r\n\tb=";
    signed.append("dkim-signature:").append(relaxedValue(value));
    byte[] data = signed.toString().getBytes(StandardCharsets.UTF_8);
    byte[] sig;
    if (key.ed25519()) {
      // RFC 8463 §3: Ed25519 (pure) over the SHA-256 hash of the canonicalised headers.
      Signature s = Signature.getInstance("Ed25519");
      s.initSign(key.key());
      s.update(MessageDigest.getInstance("SHA-256").digest(data));
      sig = s.sign();
    } else {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key.key());
      s.update(data);
      sig = s.sign();
    }
    StringBuilder line = new StringBuilder("DKIM-Signature: ").append(value);
    String b = Base64.getEncoder().encodeToString(sig);
    for (int i = 0; i < b.length(); i += 72) {
      if (i > 0) {
        line.append("\r\n\t");
      }
      line.append(b, i, Math.min(b.length(), i + 72));
    }
    return line.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII);
  }

  /** The header block's fields as [lower-case name, raw value (folds kept)] in order. */
  private static List<String[]> fields(byte[] head) {
    String text = new String(head, StandardCharsets.UTF_8);
    List<String[]> out = new ArrayList<>();
    int start = 0;
    while (start < text.length()) {
      int end = start;
      while (true) { // a field runs until a CRLF not followed by white space
        int crlf = text.indexOf("\r\n", end);
        if (crlf < 0) {
          end = text.length();
          break;
        }
        end = crlf + 2;
        if (end >= text.length() || (text.charAt(end) != ' ' && text.charAt(end) != '\t')) {
          break;
        }
      }
      String field = text.substring(start, end);
      int colon = field.indexOf(':');
      if (colon > 0) {
        String name = field.substring(0, colon).strip().toLowerCase(Locale.ROOT);
        if (SIGNED_SET.contains(name)) {
          out.add(new String[] {name, field.substring(colon + 1)});
        }
      }
      start = end;
    }
    return out;
  }

  /**
   * RFC 6376 §3.4.2 for a value: unfolded, runs of white space as one space, none at either end.
   */
  static String relaxedValue(String raw) {
    StringBuilder out = new StringBuilder(raw.length());
    boolean space = false;
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '\r' || c == '\n') {
        continue;
      }
      if (c == ' ' || c == '\t') {
        space = true;
        continue;
      }
      if (space && out.length() > 0) {
        out.append(' ');
      }
      space = false;
      out.append(c);
    }
    return out.toString();
  }

  /**
   * RFC 6376 §3.4.4 over CRLF-normalised bytes, straight into a digest: white-space runs as one
   * space, none at a line's end, no empty lines at the end, and a final CRLF unless empty.
   */
  static final class RelaxedBody extends OutputStream {

    private final MessageDigest digest;
    private final byte[] buf = new byte[8192];
    private int n;
    private boolean space;
    private int pendingLines;
    private boolean any;

    RelaxedBody(MessageDigest digest) {
      this.digest = digest;
    }

    @Override
    public void write(int b) {
      switch (b) {
        case '\r' -> {}
        case '\n' -> {
          space = false;
          pendingLines++;
        }
        case ' ', '\t' -> space = true;
        default -> {
          for (; pendingLines > 0; pendingLines--) {
            put('\r');
            put('\n');
          }
          if (space) {
            put(' ');
            space = false;
          }
          put(b);
          any = true;
        }
      }
    }

    @Override
    public void write(byte[] b, int off, int len) {
      for (int i = off; i < off + len; i++) {
        write(b[i] & 0xFF);
      }
    }

    private void put(int b) {
      if (n == buf.length) {
        digest.update(buf, 0, n);
        n = 0;
      }
      buf[n++] = (byte) b;
    }

    /** Ends the body: the final CRLF of a non-empty body. */
    @Override
    public void close() {
      if (any) {
        put('\r');
        put('\n');
      }
      digest.update(buf, 0, n);
      n = 0;
    }
  }

  private static PrivateKey readKey(DkimProperties.Domain d) {
    String setting = d.keyFileSetting();
    Path file = d.privateKeyFile();
    String pem;
    try {
      pem = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new IllegalStateException(
          setting
              + ": cannot read the key file "
              + file
              + " ("
              + e.getClass().getSimpleName()
              + ")");
    }
    int begin = pem.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = pem.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IllegalStateException(
          setting + ": " + file + " is not a PEM PKCS#8 private key (BEGIN PRIVATE KEY)");
    }
    byte[] der;
    try {
      der =
          Base64.getMimeDecoder()
              .decode(pem.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    } catch (IllegalArgumentException e) {
      throw new IllegalStateException(setting + ": " + file + " is not valid base64 PEM");
    }
    for (String algorithm : List.of("RSA", "Ed25519")) {
      try {
        PrivateKey key =
            KeyFactory.getInstance(algorithm).generatePrivate(new PKCS8EncodedKeySpec(der));
        if (key instanceof RSAPrivateKey rsa && rsa.getModulus().bitLength() < 2048) {
          throw new IllegalStateException(
              setting
                  + ": the RSA key has "
                  + rsa.getModulus().bitLength()
                  + " bits; 2048 or more");
        }
        return key;
      } catch (InvalidKeySpecException e) {
        // not this algorithm; try the next
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException(algorithm + " is not available in this JVM", e);
      }
    }
    throw new IllegalStateException(
        setting + ": " + file + " holds neither an RSA nor an Ed25519 PKCS#8 key");
  }
}
