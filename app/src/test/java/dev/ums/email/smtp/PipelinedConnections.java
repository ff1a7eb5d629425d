package dev.ums.email.smtp;

import dev.ums.email.SmtpProperties;

/**
 * Opens a {@link PipelinedConnection} directly, with the settings its pool would give it once the
 * relay is known to pipeline, for the handshake cases of {@code
 * dev.ums.email.PipelinedSecurityTest}, which live outside this package beside the sender tests.
 */
public final class PipelinedConnections {

  /** What opening throws when the relay wants something the pipelined path does not speak. */
  public static final Class<? extends Exception> UNSUPPORTED =
      PipelinedConnection.Unsupported.class;

  private PipelinedConnections() {}

  /** An open pipelined connection: its NOOP check, whether it may be reused, and closing it. */
  public interface Opened extends AutoCloseable {
    boolean alive();

    boolean reusable();

    @Override
    void close();
  }

  /**
   * Connects, reads the greeting, says {@code EHLO ums.test}, and starts TLS and authenticates as
   * {@code props} say.
   *
   * @throws Exception an {@link dev.ums.email.SmtpSendException} classified as on the pool's path,
   *     or {@link #UNSUPPORTED}
   */
  public static Opened open(SmtpProperties props) throws Exception {
    PipelinedConnection.Settings settings;
    try (SmtpConnectionPool pool = new SmtpConnectionPool(props, SmtpEndpoint.relay(props))) {
      settings = pool.pipelinedSettings("ums.test");
    }
    PipelinedConnection c = PipelinedConnection.open(settings);
    return new Opened() {
      @Override
      public boolean alive() {
        return c.alive();
      }

      @Override
      public boolean reusable() {
        return c.reusable();
      }

      @Override
      public void close() {
        c.close();
      }
    };
  }
}
