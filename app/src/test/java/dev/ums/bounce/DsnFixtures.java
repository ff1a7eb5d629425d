package dev.ums.bounce;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * The report samples under {@code src/test/resources/dsn/}, shaped as Postfix, Exchange, Gmail and
 * a Yahoo-style feedback loop send them, with {@code ${name}} placeholders filled in: {@code
 * messageId}, {@code messageIdDomain}, {@code returnPath} (the VERP address the message went out
 * with), {@code rcptTo} (where the report is sent) and {@code recipient} (the bounced address).
 */
final class DsnFixtures {

  static final String POSTFIX_HARD = "postfix-hard-5.1.1.eml";
  static final String EXCHANGE_NDR = "exchange-ndr-5.1.10.eml";
  static final String GMAIL = "gmail-5.1.1.eml";
  static final String POSTFIX_POLICY = "postfix-policy-5.7.1.eml";
  static final String POSTFIX_DELAYED = "postfix-delayed-4.4.1.eml";
  static final String ARF = "arf-complaint.eml";
  static final String GARBAGE = "garbage.eml";

  private DsnFixtures() {}

  static byte[] load(String name, Map<String, String> values) {
    try (InputStream in = DsnFixtures.class.getResourceAsStream("/dsn/" + name)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + name);
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      for (Map.Entry<String, String> v : values.entrySet()) {
        text = text.replace("${" + v.getKey() + "}", v.getValue());
      }
      if (text.contains("${")) {
        throw new IllegalArgumentException(name + " has a placeholder left: " + text);
      }
      return text.getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
