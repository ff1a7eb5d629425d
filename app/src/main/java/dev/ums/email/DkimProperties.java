package dev.ums.email;

import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code ums.dkim.*}: the DKIM keys, one per sending domain. Each domain has two settings, {@code
 * ums.dkim.domains.<domain>.selector} and {@code ums.dkim.domains.<domain>.private-key-file} (a PEM
 * PKCS#8 RSA or Ed25519 private key). No domain configured: nothing is signed.
 *
 * <p>The settings are bound as one flat map (like {@code logging.level.<logger>}), so a domain name
 * keeps its dots without bracket notation; this record checks that every domain has both settings
 * and nothing else. The key files themselves are read at start-up by {@link DkimSigner#load}.
 *
 * @param domains {@code <domain>.selector} and {@code <domain>.private-key-file} entries
 */
@ConfigurationProperties("ums.dkim")
public record DkimProperties(Map<String, String> domains) {

  private static final String SELECTOR = ".selector";
  private static final String KEY_FILE = ".private-key-file";

  /** RFC 6376 §3.1: a selector is one or more dot-separated sub-domain labels. */
  private static final Pattern LABELS =
      Pattern.compile(
          "[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");

  public DkimProperties {
    domains = domains == null ? Map.of() : Map.copyOf(domains);
    signing(domains); // fails start-up on a bad entry
  }

  /** One domain's key settings. */
  public record Domain(String domain, String selector, Path privateKeyFile) {

    /** The setting that names the key file, for start-up errors. */
    String keyFileSetting() {
      return "ums.dkim.domains." + domain + KEY_FILE;
    }
  }

  /** The configured domains (lower case), each with its selector and key file. */
  public Map<String, Domain> signingDomains() {
    return signing(domains);
  }

  private static Map<String, Domain> signing(Map<String, String> entries) {
    Map<String, String> selectors = new TreeMap<>();
    Map<String, String> files = new TreeMap<>();
    for (Map.Entry<String, String> e : entries.entrySet()) {
      String key = e.getKey().toLowerCase(Locale.ROOT);
      if (key.endsWith(SELECTOR)) {
        selectors.put(key.substring(0, key.length() - SELECTOR.length()), e.getValue());
      } else if (key.endsWith(KEY_FILE)) {
        files.put(key.substring(0, key.length() - KEY_FILE.length()), e.getValue());
      } else {
        throw new IllegalArgumentException(
            "ums.dkim.domains."
                + e.getKey()
                + " is not a DKIM setting: use ums.dkim.domains.<domain>.selector and"
                + " ums.dkim.domains.<domain>.private-key-file");
      }
    }
    Map<String, Domain> out = new TreeMap<>();
    for (String domain : union(selectors, files)) {
      String selector = selectors.get(domain);
      String file = files.get(domain);
      if (!LABELS.matcher(domain).matches()) {
        throw new IllegalArgumentException("ums.dkim.domains." + domain + ": not a domain name");
      }
      if (selector == null || !LABELS.matcher(selector).matches()) {
        throw new IllegalArgumentException(
            "ums.dkim.domains." + domain + SELECTOR + " is required (DNS labels, e.g. ums2025)");
      }
      if (file == null || file.isBlank()) {
        throw new IllegalArgumentException(
            "ums.dkim.domains." + domain + KEY_FILE + " is required (a PEM PKCS#8 private key)");
      }
      out.put(domain, new Domain(domain, selector, Path.of(file)));
    }
    return Map.copyOf(out);
  }

  private static java.util.Set<String> union(Map<String, String> a, Map<String, String> b) {
    java.util.Set<String> all = new java.util.TreeSet<>(a.keySet());
    all.addAll(b.keySet());
    return all;
  }
}
