package dev.ums.security;

import java.util.UUID;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * The authenticated API client behind the current request.
 *
 * @param clientId the client the key belongs to; messages and idempotency keys are scoped by it
 * @param keyId the key's id (for audit)
 * @param prefix the key's visible prefix (for audit and logs; never the key)
 */
public record Caller(String clientId, UUID keyId, String prefix, Role role) {

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
    return clientId + "/" + prefix;
  }
}
