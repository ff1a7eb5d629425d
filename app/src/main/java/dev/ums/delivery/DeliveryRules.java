package dev.ums.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.stereotype.Component;

/**
 * Which delivery rule a message falls under, decided once at intake from its recipients' domains.
 * Only the rule's name is stored (the domain is personal data and stays sealed in the content), so
 * the claim can group messages by rule without decrypting anything.
 *
 * <p>A message with recipients in several domains takes the most restrictive rule any of them
 * matches (the lowest rate; a rule with a rate before one without; then the order written), since
 * one SMTP transaction carries all its recipients. A rule renamed or removed later leaves its
 * queued messages under a name no rule has: they are claimed with the default rule's.
 */
@Component
public class DeliveryRules {

  /** The rule of every domain no named rule covers. */
  public static final String DEFAULT = dev.ums.ledger.NewMessage.DEFAULT_RULE;

  private record Named(String name, DeliveryProperties.Rule rule, int order) {}

  private final List<Named> rules = new ArrayList<>();

  public DeliveryRules(DeliveryProperties props) {
    int i = 0;
    for (Map.Entry<String, DeliveryProperties.Rule> e : props.domains().entrySet()) {
      rules.add(new Named(e.getKey(), e.getValue(), i++));
    }
  }

  /** The name of the rule for a message to {@code recipients} (RFC 5322 mailboxes). */
  public String ruleFor(List<String> recipients) {
    if (rules.isEmpty()) {
      return DEFAULT;
    }
    Named best = null;
    for (String r : recipients) {
      String domain = domainOf(r);
      if (domain == null) {
        continue;
      }
      for (Named n : rules) {
        if (covers(n.rule(), domain) && (best == null || stricter(n, best))) {
          best = n;
        }
      }
    }
    return best == null ? DEFAULT : best.name();
  }

  private static boolean stricter(Named a, Named b) {
    double ra = a.rule().rate() == null ? Double.MAX_VALUE : a.rule().rate();
    double rb = b.rule().rate() == null ? Double.MAX_VALUE : b.rule().rate();
    return ra != rb ? ra < rb : a.order() < b.order();
  }

  static boolean covers(DeliveryProperties.Rule rule, String domain) {
    for (String m : rule.match()) {
      String p = m.toLowerCase(Locale.ROOT);
      if (p.startsWith("*.") ? domain.endsWith(p.substring(1)) : domain.equals(p)) {
        return true;
      }
    }
    return false;
  }

  /** The lower-cased domain of a mailbox ({@code a@b.example} or {@code Name <a@b.example>}). */
  static String domainOf(String mailbox) {
    if (mailbox == null) {
      return null;
    }
    String s = mailbox.trim();
    int lt = s.lastIndexOf('<');
    int gt = s.lastIndexOf('>');
    if (lt >= 0 && gt > lt) {
      s = s.substring(lt + 1, gt);
    }
    int at = s.lastIndexOf('@');
    if (at < 0 || at == s.length() - 1) {
      return null;
    }
    String d = s.substring(at + 1).trim().toLowerCase(Locale.ROOT);
    return d.endsWith(".") ? d.substring(0, d.length() - 1) : d;
  }
}
