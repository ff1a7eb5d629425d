package dev.ums.security;

import dev.ums.ledger.DeliveryMode;
import java.io.PrintStream;
import java.util.List;
import java.util.UUID;

/**
 * The jar's command-line key management, run against the configured database:
 *
 * <pre>
 * java -jar ums.jar keys create --client shop --role SENDER [--name "checkout"]
 * java -jar ums.jar keys list
 * java -jar ums.jar keys revoke KEY-ID
 * </pre>
 */
public final class KeyCommand {

  private final ApiKeys keys;
  private final AuditLog audit;

  public KeyCommand(ApiKeys keys, AuditLog audit) {
    this.keys = keys;
    this.audit = audit;
  }

  /** Runs {@code args} (starting with "keys"); returns the process exit code. */
  public int run(List<String> args, PrintStream out) {
    String verb = args.size() > 1 ? args.get(1) : "";
    switch (verb) {
      case "create" -> {
        String client = option(args, "--client");
        String role = option(args, "--role");
        String modeName = option(args, "--mode");
        DeliveryMode mode =
            modeName == null ? DeliveryMode.LIVE : DeliveryMode.ofWireName(modeName);
        if (client == null
            || role == null
            || mode == null
            || !KeyController.CLIENT_ID.matcher(client).matches()) {
          out.println(
              "usage: keys create --client ID --role SENDER|ADMIN [--name NAME] [--mode live|test]");
          return 2;
        }
        ApiKeys.NewKey k =
            keys.create(client, Role.valueOf(role.toUpperCase()), option(args, "--name"), mode);
        audit.record("key.create", k.info().id().toString(), "OK");
        out.println("id=" + k.info().id() + " label=" + k.info().label());
        out.println("key=" + k.key() + "   (shown once)");
        return 0;
      }
      case "list" -> {
        for (ApiKeys.KeyInfo k : keys.list()) {
          out.println(
              k.id()
                  + " "
                  + k.label()
                  + " client="
                  + k.clientId()
                  + " role="
                  + k.role()
                  + " mode="
                  + k.mode().wireName()
                  + (k.revokedAt() == null ? "" : " revoked=" + k.revokedAt()));
        }
        return 0;
      }
      case "revoke" -> {
        if (args.size() < 3) {
          out.println("usage: keys revoke KEY-ID");
          return 2;
        }
        boolean done = keys.revoke(UUID.fromString(args.get(2)));
        audit.record("key.revoke", args.get(2), done ? "OK" : "NOT_FOUND");
        out.println(done ? "revoked" : "no such active key");
        return done ? 0 : 1;
      }
      default -> {
        out.println("usage: keys create|list|revoke ...");
        return 2;
      }
    }
  }

  private static String option(List<String> args, String name) {
    int i = args.indexOf(name);
    return i >= 0 && i + 1 < args.size() ? args.get(i + 1) : null;
  }
}
