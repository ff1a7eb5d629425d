package dev.ums.email;

/**
 * The two Jakarta Mail speed-ups that can only be made JVM-wide, applied once by {@link
 * EmailConfig} before the sender is built. Both only make look-ups cheaper: the bytes sent are the
 * same without them. A sender built outside Spring ({@link EmailSender#toRelay}) works without
 * them, slower.
 *
 * <ul>
 *   <li>The system property {@value #STREAM_PROVIDER}. Jakarta Mail 2.1 looks its stream provider
 *       up anew whenever it needs an encoder (a quoted-printable body, an encoded header word, a
 *       body part) — a {@code ServiceLoader} scan of the class path, which inside a Spring Boot jar
 *       was half of all dispatch CPU (jakartaee/mail-api#699, #861). This property is the only way
 *       to name the provider: the look-up is static and reads no session property (only the {@code
 *       Session}'s own copy is cached, and the static encoders never see it), and a {@code
 *       META-INF/services} file is what the scan reads, so one more would not make it cheaper. The
 *       value is the provider the scan finds, Angus Mail's. A value the operator set is kept.
 *   <li>The default activation command map, which becomes a {@link CachingCommandMap}: content
 *       handlers are looked up once per MIME type instead of once per body part written.
 * </ul>
 *
 * Not undone on shutdown: both name exactly what Jakarta Mail would find by itself, and another
 * application context in the same JVM may be using them.
 */
final class JakartaMailTuning {

  static final String STREAM_PROVIDER = "jakarta.mail.util.StreamProvider";

  /** Angus Mail's provider, the one the {@code ServiceLoader} scan finds. */
  static final String ANGUS_STREAM_PROVIDER = "org.eclipse.angus.mail.util.MailStreamProvider";

  private JakartaMailTuning() {}

  /** Applies both; calling it again changes nothing. */
  static synchronized JakartaMailTuning apply() {
    if (System.getProperty(STREAM_PROVIDER) == null) {
      System.setProperty(STREAM_PROVIDER, ANGUS_STREAM_PROVIDER);
    }
    CachingCommandMap.install();
    return new JakartaMailTuning();
  }
}
