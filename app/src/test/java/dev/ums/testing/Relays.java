package dev.ums.testing;

import dev.ums.email.SmtpProperties;
import dev.ums.testkit.smtp.ScriptedSmtpServer;
import java.io.IOException;
import java.io.InputStream;
import java.security.KeyStore;
import java.time.Duration;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/** Scripted relays ({@link ScriptedSmtpServer}) as the app's tests use them. */
public final class Relays {

  private Relays() {}

  /**
   * A relay that advertises no ESMTP extension, so UMS stays on Jakarta Mail with one command per
   * turn: for failure cases GreenMail cannot produce (chosen replies, silence, slowness).
   */
  public static ScriptedSmtpServer plain() throws IOException {
    return ScriptedSmtpServer.builder().hostname("fake").advertise().start();
  }

  /** Settings of a plain-SMTP client of this relay with these timeouts and connections. */
  public static SmtpProperties client(
      ScriptedSmtpServer relay,
      Duration connect,
      Duration read,
      Duration write,
      int maxConnections) {
    return new SmtpProperties(
        "127.0.0.1",
        relay.port(),
        null,
        null,
        SmtpProperties.Tls.NONE,
        null,
        connect,
        read,
        write,
        maxConnections,
        "ums.test");
  }

  /** GreenMail's self-signed certificate, for relays that speak TLS. */
  public static SSLContext greenMailTls() throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Relays.class.getResourceAsStream("/greenmail.p12")) {
      ks.load(in, "changeit".toCharArray());
    }
    KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    kmf.init(ks, "changeit".toCharArray());
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(kmf.getKeyManagers(), null, null);
    return ctx;
  }
}
