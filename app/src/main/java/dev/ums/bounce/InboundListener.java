package dev.ums.bounce;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.TransactionException;
import org.subethamail.smtp.MessageContext;
import org.subethamail.smtp.MessageHandler;
import org.subethamail.smtp.RejectException;
import org.subethamail.smtp.server.SMTPServer;

/**
 * The inbound SMTP listener ({@code ums.inbound.*}), a SubEthaSMTP server: it accepts mail only for
 * addresses at the bounce domain ({@code RCPT TO} elsewhere: {@code 550}), reads each message up to
 * {@code ums.inbound.max-message-size} ({@code 552} beyond) and hands it to {@link InboundReports}.
 * Anything it cannot parse or match is accepted ({@code 250}), counted and dropped, so no sender
 * retries it forever; only a database failure answers {@code 451}, and the sender's server brings
 * the report back later.
 */
final class InboundListener implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(InboundListener.class);

  private final InboundProperties props;
  private final String bounceDomain;
  private final InboundReports reports;
  private SMTPServer server;

  InboundListener(InboundProperties props, String bounceDomain, InboundReports reports) {
    this.props = props;
    this.bounceDomain = bounceDomain;
    this.reports = reports;
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    InetAddress bind;
    try {
      bind = InetAddress.getByName(props.host());
    } catch (UnknownHostException e) {
      throw new IllegalStateException("ums.inbound.host is not an address: " + props.host(), e);
    }
    SMTPServer s =
        SMTPServer.port(props.port())
            .bindAddress(bind)
            .hostName(bounceDomain)
            .softwareName("UMS")
            .maxConnections(props.maxConnections())
            .maxMessageSize((int) props.maxMessageSize().toBytes())
            .maxRecipients(100)
            .messageHandlerFactory(Session::new)
            .build();
    s.start();
    server = s;
    log.info(
        "event=inbound_listener_started host={} port={} domain={}",
        props.host(),
        port(),
        bounceDomain);
  }

  @Override
  public synchronized void stop() {
    if (server != null) {
      server.stop();
      server = null;
      log.info("event=inbound_listener_stopped");
    }
  }

  @Override
  public synchronized boolean isRunning() {
    return server != null && server.isRunning();
  }

  /** The port it listens on (the one chosen, when {@code ums.inbound.port} is 0). */
  public synchronized int port() {
    return server == null ? -1 : server.getPortAllocated();
  }

  /** One mail transaction of an SMTP session. */
  private final class Session implements MessageHandler {

    private final List<String> recipients = new ArrayList<>();

    Session(MessageContext context) {}

    @Override
    public void from(String from) {
      // Bounces come from the null sender (<>), complaints from a feedback loop: any is fine.
    }

    @Override
    public void recipient(String recipient) throws RejectException {
      if (!ReturnPath.atDomain(recipient, bounceDomain)) {
        throw new RejectException(550, "5.1.1 Recipient is not a bounce address here");
      }
      recipients.add(recipient);
    }

    @Override
    public String data(InputStream data) throws RejectException, IOException {
      byte[] raw = read(data, props.maxMessageSize().toBytes());
      if (raw == null) {
        log.info("event=inbound_too_large limit={}", props.maxMessageSize().toBytes());
        throw new RejectException(552, "5.3.4 Message too big for this server");
      }
      try {
        reports.handle(List.copyOf(recipients), raw);
      } catch (DataAccessException | TransactionException e) {
        log.warn("event=inbound_deferred error={}", e.getClass().getSimpleName());
        throw new RejectException(451, "4.3.0 Temporary failure, try again later");
      } catch (RuntimeException e) {
        log.warn("event=inbound_failed error={}", e.getClass().getSimpleName());
      }
      return null;
    }

    @Override
    public void done() {}
  }

  /**
   * The message, or null once it is longer than {@code max} bytes: the rest is then read and
   * dropped, so that the sender gets a definite refusal at the end of the data instead of a
   * connection broken under it (which it would retry).
   */
  static byte[] read(InputStream in, long max) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    long total = 0;
    for (int n; (n = in.read(buf)) != -1; ) {
      total += n;
      if (total <= max) {
        out.write(buf, 0, n);
      }
    }
    return total > max ? null : out.toByteArray();
  }
}
