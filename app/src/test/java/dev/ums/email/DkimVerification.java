package dev.ums.email;

import java.io.ByteArrayInputStream;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import org.apache.james.jdkim.DKIMCommon;
import org.apache.james.jdkim.DKIMVerifier;
import org.apache.james.jdkim.api.SignatureRecord;
import org.apache.james.jdkim.impl.BodyHasherImpl;
import org.apache.james.jdkim.impl.Message;
import org.apache.james.jdkim.tagvalue.SignatureRecordImpl;

/**
 * Checks DKIM signatures with Apache James jDKIM, an implementation independent of UMS's signer,
 * against a public key given directly instead of looked up in DNS.
 *
 * <p>jDKIM 0.3 knows only {@code k=rsa}. For {@code ed25519-sha256} its own parsing, body hash and
 * header canonicalisation are used unchanged, and only the final check is the JDK's Ed25519 over
 * the SHA-256 of jDKIM's canonicalised headers (RFC 8463 §3).
 */
final class DkimVerification extends DKIMCommon {

  private DkimVerification() {}

  static KeyPair rsa() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    return g.generateKeyPair();
  }

  static KeyPair ed25519() throws Exception {
    return KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
  }

  /** SMTP DATA wire bytes back to the message: dot-stuffing undone. */
  static byte[] unstuff(byte[] data) {
    String s = new String(data, java.nio.charset.StandardCharsets.ISO_8859_1);
    s = (s.startsWith("..") ? s.substring(1) : s).replace("\r\n..", "\r\n.");
    return s.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
  }

  /**
   * The verified signatures of {@code raw}, each with its {@code d=} and {@code s=}.
   *
   * @throws Exception when there is no signature or one fails
   */
  static List<SignatureRecord> verify(byte[] raw, PublicKey key) throws Exception {
    if (key.getAlgorithm().equals("RSA")) {
      String record = "v=DKIM1; k=rsa; p=" + Base64.getEncoder().encodeToString(key.getEncoded());
      List<SignatureRecord> ok =
          new DKIMVerifier((method, selector, domain) -> List.of(record))
              .verify(new ByteArrayInputStream(raw));
      if (ok == null || ok.isEmpty()) {
        throw new AssertionError("no DKIM signature");
      }
      return ok;
    }
    return List.of(verifyEd25519(raw, key));
  }

  private static SignatureRecord verifyEd25519(byte[] raw, PublicKey key) throws Exception {
    Message message = new Message(new ByteArrayInputStream(raw));
    List<String> fields = message.getFields("DKIM-Signature");
    if (fields == null || fields.isEmpty()) {
      throw new AssertionError("no DKIM signature");
    }
    String field = fields.get(0);
    SignatureRecord sign = new SignatureRecordImpl(field.substring(field.indexOf(':') + 1));
    sign.validate();
    if (!"ed25519".contentEquals(sign.getHashKeyType())) {
      throw new AssertionError("not an Ed25519 signature: " + sign.getHashKeyType());
    }
    BodyHasherImpl body = new BodyHasherImpl(sign);
    try (var out = body.getOutputStream()) {
      message.getBodyInputStream().transferTo(out);
    }
    if (!Arrays.equals(body.getDigest(), sign.getBodyHash())) {
      throw new AssertionError("body hash mismatch");
    }
    Ed25519OverSha256 check = new Ed25519OverSha256(key);
    check.initVerify(key);
    signatureCheck(message, sign, sign.getHeaders(), check);
    if (!check.verify(sign.getSignature())) {
      throw new AssertionError("Ed25519 signature does not verify");
    }
    return sign;
  }

  /** A {@link Signature} that hashes what it is fed with SHA-256 and checks Ed25519 over that. */
  private static final class Ed25519OverSha256 extends Signature {

    private final MessageDigest sha = MessageDigest.getInstance("SHA-256");
    private final PublicKey key;

    Ed25519OverSha256(PublicKey key) throws Exception {
      super("ed25519-sha256");
      this.key = key;
    }

    @Override
    protected void engineInitVerify(PublicKey publicKey) {}

    @Override
    protected void engineInitSign(java.security.PrivateKey privateKey) {
      throw new UnsupportedOperationException();
    }

    @Override
    protected void engineUpdate(byte b) {
      sha.update(b);
    }

    @Override
    protected void engineUpdate(byte[] b, int off, int len) {
      sha.update(b, off, len);
    }

    @Override
    protected byte[] engineSign() {
      throw new UnsupportedOperationException();
    }

    @Override
    protected boolean engineVerify(byte[] sigBytes) {
      try {
        Signature ed = Signature.getInstance("Ed25519");
        ed.initVerify(key);
        ed.update(sha.digest());
        return ed.verify(sigBytes);
      } catch (Exception e) {
        return false;
      }
    }

    @Override
    @Deprecated
    protected void engineSetParameter(String param, Object value) {}

    @Override
    @Deprecated
    protected Object engineGetParameter(String param) {
      return null;
    }
  }
}
