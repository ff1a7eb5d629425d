package dev.ums.email;

import jakarta.activation.CommandMap;
import jakarta.activation.DataContentHandler;
import jakarta.activation.DataSource;
import jakarta.activation.MailcapCommandMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The standard mailcap command map, but a MIME type's content handler is looked up once. Jakarta
 * Activation otherwise loads the handler class by name through the context class loader for every
 * body part written — a class path search on each message. The handlers for the types UMS writes
 * (text/plain, text/html, multipart) keep no state, so one instance each serves every thread.
 */
final class CachingCommandMap extends MailcapCommandMap {

  private final Map<String, Optional<DataContentHandler>> handlers = new ConcurrentHashMap<>();

  /** Makes this the JVM's default command map, unless one was already installed. */
  static synchronized void install() {
    if (!(CommandMap.getDefaultCommandMap() instanceof CachingCommandMap)) {
      CommandMap.setDefaultCommandMap(new CachingCommandMap());
    }
  }

  @Override
  public DataContentHandler createDataContentHandler(String mimeType) {
    return handlers
        .computeIfAbsent(
            mimeType.toLowerCase(Locale.ROOT),
            t -> Optional.ofNullable(super.createDataContentHandler(t)))
        .orElse(null);
  }

  @Override
  public DataContentHandler createDataContentHandler(String mimeType, DataSource ds) {
    return createDataContentHandler(mimeType);
  }
}
