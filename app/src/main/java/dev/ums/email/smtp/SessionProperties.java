package dev.ums.email.smtp;

import dev.ums.email.SmtpProperties;
import java.util.Properties;

/**
 * The Jakarta Mail session properties for one endpoint: timeouts, partial sends, TLS, trust and the
 * {@code TCP_NODELAY} socket factory. Jakarta Mail connects with them, and so do {@link
 * PipelinedConnection} and {@link RelayGreeting} (through Angus' {@code SocketFetcher}), so all
 * three make the same sockets.
 */
final class SessionProperties {

  private SessionProperties() {}

  /**
   * @param protocol {@code smtp}, or {@code smtps} for TLS from the first byte; the properties are
   *     prefixed {@code mail.<protocol>.}
   */
  static Properties of(SmtpProperties props, SmtpEndpoint endpoint, String protocol) {
    Properties p = new Properties();
    String k = "mail." + protocol + ".";
    p.setProperty("mail.transport.protocol", protocol);
    p.setProperty(k + "host", endpoint.host());
    p.setProperty(k + "port", Integer.toString(endpoint.port()));
    p.setProperty(k + "connectiontimeout", Long.toString(props.connectTimeout().toMillis()));
    p.setProperty(k + "timeout", Long.toString(props.readTimeout().toMillis()));
    p.setProperty(k + "writetimeout", Long.toString(props.writeTimeout().toMillis()));
    p.setProperty(k + "sendpartial", "true");
    p.setProperty(k + "quitwait", "false");
    if (props.heloName() != null && !props.heloName().isBlank()) {
      p.setProperty(k + "localhost", props.heloName());
    }
    if (!"smtps".equals(protocol)) {
      p.put(k + "socketFactory", NoDelaySocketFactory.INSTANCE); // STARTTLS layers on this socket
    }
    if (endpoint.capture()) {
      return p;
    }
    boolean auth = props.username() != null && !props.username().isBlank();
    p.setProperty(k + "auth", Boolean.toString(auth));
    switch (props.tls()) {
      case STARTTLS -> {
        p.setProperty(k + "starttls.enable", "true");
        p.setProperty(k + "starttls.required", "true");
      }
      case IMPLICIT -> p.setProperty(k + "ssl.enable", "true");
      case NONE -> {}
    }
    boolean pinnedTrust = props.sslTrust() != null && !props.sslTrust().isBlank();
    if (pinnedTrust) {
      // The operator vouches for these hosts' certificates, whatever name they carry.
      p.setProperty(k + "ssl.trust", props.sslTrust());
    }
    p.setProperty(k + "ssl.checkserveridentity", Boolean.toString(!pinnedTrust));
    return p;
  }
}
