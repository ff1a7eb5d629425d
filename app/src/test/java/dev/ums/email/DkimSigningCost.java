package dev.ums.email;

import java.security.KeyPair;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Not a test: a timing loop for the cost of DKIM signing per message, rendering the same message
 * unsigned and signed (RSA-2048, Ed25519) many times and printing microseconds per message. Run
 * after {@code ./mvnw -pl app -am test-compile}:
 *
 * <pre>
 * ./mvnw -q -pl app dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt
 * java -cp app/target/test-classes:app/target/classes:$(cat /tmp/cp.txt) dev.ums.email.DkimSigningCost
 * </pre>
 */
public final class DkimSigningCost {

  private static final Logger log = LoggerFactory.getLogger(DkimSigningCost.class);

  private DkimSigningCost() {}

  public static void main(String[] args) throws Exception {
    int n = args.length > 0 ? Integer.parseInt(args[0]) : 20_000;
    KeyPair rsa = DkimVerification.rsa();
    KeyPair ed = DkimVerification.ed25519();
    Clock clock = Clock.systemUTC();
    byte[] attachment = new byte[100 * 1024];
    new java.util.Random(1).nextBytes(attachment);
    Map<String, Email> shapes =
        Map.of(
            "plain",
            plain(List.of()),
            "100 KB attachment",
            plain(
                List.of(
                    new Email.Attachment("a.bin", "application/pdf", false, null, attachment))));
    Map<String, DkimSigner> signers =
        Map.of(
            "unsigned", DkimSigner.none(),
            "rsa-2048", DkimSigner.of("example.com", "s", rsa.getPrivate()),
            "ed25519", DkimSigner.of("example.com", "s", ed.getPrivate()));
    for (String shape : List.of("plain", "100 KB attachment")) {
      int count = shape.equals("plain") ? n : Math.max(1, n / 10);
      for (String s : List.of("unsigned", "rsa-2048", "ed25519")) {
        Email email = shapes.get(shape);
        DkimSigner signer = signers.get(s);
        for (int i = 0; i < count / 2; i++) { // warm-up
          EmailSender.render(email, clock, signer);
        }
        long start = System.nanoTime();
        long bytes = 0;
        for (int i = 0; i < count; i++) {
          bytes += EmailSender.render(email, clock, signer).length;
        }
        double us = (System.nanoTime() - start) / 1000.0 / count;
        log.info(
            "event=dkim_signing_cost shape={} signer={} micros_per_message={} messages={}"
                + " bytes_each={}",
            shape,
            s,
            String.format(java.util.Locale.ROOT, "%.1f", us),
            count,
            bytes / count);
      }
    }
  }

  private static Email plain(List<Email.Attachment> attachments) {
    return new Email(
        "<bench-1@example.com>",
        "UMS <no-reply@example.com>",
        List.of("to@ums.test"),
        List.of(),
        List.of(),
        null,
        "Your receipt",
        "Thanks for your order. ".repeat(20),
        "<p>Thanks for your order.</p>".repeat(20),
        Map.of(),
        attachments);
  }
}
