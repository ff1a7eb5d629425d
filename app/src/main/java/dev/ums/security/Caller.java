package dev.ums.security;

import dev.ums.ledger.DeliveryMode;
import java.util.UUID;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The authenticated API client behind the current request.
 *
 * @param clientId the client the key belongs to; messages and idempotency keys are scoped by it
 * @param keyId the key's id (for audit)
 * @param label the key's label (for audit and logs): derived from its id, never part of the key
 * @param mode the key's mode, copied onto every message it sends: test-mode mail never reaches the
 *     relay
 */
public record Caller(String clientId, UUID keyId, String label, Role role, DeliveryMode mode) {

  public Caller {
    java.util.Objects.requireNonNull(mode, "mode");
  }

  /** A live-mode caller. */
  public Caller(String clientId, UUID keyId, String label, Role role) {
    this(clientId, keyId, label, role, DeliveryMode.LIVE);
  }

  /** The caller of the current request; fails if the request was not authenticated. */
  public static Caller current() {
    Authentication a = SecurityContextHolder.getContext().getAuthentication();
    if (a != null && a.getPrincipal() instanceof Caller c) {
      return c;
    }
    throw new IllegalStateException("no authenticated API caller");
  }

  public boolean isAdmin() {
    return role == Role.ADMIN;
  }

  /** How audit records name this caller. */
  public String actor() {
    return clientId + "/" + label;
  }
}
