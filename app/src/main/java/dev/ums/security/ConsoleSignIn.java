package dev.ums.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.dao.DataAccessException;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.web.context.HttpSessionSecurityContextRepository;
import org.springframework.security.web.context.SecurityContextRepository;
import org.springframework.stereotype.Component;
import org.springframework.transaction.CannotCreateTransactionException;

/**
 * Signs an operator into the console: an ADMIN API key is exchanged for a server session. The key
 * itself is checked once, here, and never stored in the session; the session holds the {@link
 * Caller} (client, key id, label), so audit records name the key's label as with the API.
 *
 * <p>Refusals are the API's: an address over its failed-authentication allowance ({@link
 * FailedAuthLimiter}, shared with {@link ApiKeyFilter}) is refused before the key is looked at, and
 * every refused key, a SENDER key included, counts against the address and in {@code
 * ums.auth.failures}. On success the session id changes (no fixation) and the session's idle
 * timeout is set. A session ends at its idle timeout, at sign-out, or at the next request after its
 * key is revoked ({@link #stillValid}).
 */
@Component
@ConditionalOnWebApplication
public class ConsoleSignIn {

  private static final Logger log = LoggerFactory.getLogger(ConsoleSignIn.class);

  /** Where the console keeps its security context: the HTTP session, and nowhere else. */
  private final SecurityContextRepository contexts = new HttpSessionSecurityContextRepository();

  private final ApiKeys keys;
  private final FailedAuthLimiter limiter;
  private final AuditLog audit;
  private final Counter malformed;
  private final Counter unknown;
  private final Counter limited;
  private final Counter notAdmin;

  ConsoleSignIn(ApiKeys keys, FailedAuthLimiter limiter, AuditLog audit, MeterRegistry meters) {
    this.keys = keys;
    this.limiter = limiter;
    this.audit = audit;
    this.malformed = failures(meters, "malformed");
    this.unknown = failures(meters, "unknown");
    this.limited = failures(meters, "limited");
    this.notAdmin = failures(meters, "not_admin");
  }

  private static Counter failures(MeterRegistry meters, String reason) {
    return Counter.builder("ums.auth.failures")
        .description(
            "Requests refused for their API key: malformed, unknown or revoked, or"
                + " from an address over its failed-authentication limit")
        .tag("reason", reason)
        .register(meters);
  }

  /** What a sign-in attempt came to. */
  public sealed interface Outcome {}

  /** Signed in: the session holds {@code caller}. */
  public record SignedIn(Caller caller) implements Outcome {}

  /** The key is malformed, unknown or revoked. */
  public record Refused() implements Outcome {}

  /** A valid key whose role may not use the console (SENDER). */
  public record NotAdmin() implements Outcome {}

  /** Too many failed authentications from this address: retry after this many seconds. */
  public record Limited(long retryAfterSeconds) implements Outcome {}

  /** The key store could not be read. */
  public record Unavailable() implements Outcome {}

  /**
   * Checks {@code key} and, for an ADMIN key, starts a console session that ends after {@code
   * idleTimeout} without a request. Nothing about the key but its label is logged.
   */
  public Outcome signIn(
      String key, HttpServletRequest request, HttpServletResponse response, Duration idleTimeout) {
    String address = request.getRemoteAddr();
    long wait = limiter.retryAfterSeconds(address);
    if (wait > 0) {
      limited.increment();
      log.info("event=console_sign_in_refused reason=limited");
      return new Limited(wait);
    }
    String token = key == null ? "" : key.strip();
    if (!ApiKeys.wellFormed(token)) {
      malformed.increment();
      limiter.failed(address);
      log.info("event=console_sign_in_refused reason=malformed");
      return new Refused();
    }
    Optional<Caller> found;
    try {
      found = keys.authenticate(token);
    } catch (DataAccessException | CannotCreateTransactionException e) {
      log.warn("event=console_sign_in_failed error={}", e.getClass().getSimpleName());
      return new Unavailable();
    }
    if (found.isEmpty()) {
      unknown.increment();
      limiter.failed(address);
      log.info("event=console_sign_in_refused reason=unknown");
      return new Refused();
    }
    Caller caller = found.get();
    if (!caller.isAdmin()) {
      notAdmin.increment();
      limiter.failed(address);
      log.info("event=console_sign_in_refused reason=not_admin key={}", caller.label());
      return new NotAdmin();
    }
    HttpSession old = request.getSession(false);
    if (old != null) {
      old.invalidate(); // a fresh session: nothing from before sign-in carries over
    }
    HttpSession session = request.getSession(true);
    session.setMaxInactiveInterval((int) Math.max(60, idleTimeout.toSeconds()));
    SecurityContext context = SecurityContextHolder.createEmptyContext();
    context.setAuthentication(authentication(caller));
    SecurityContextHolder.setContext(context);
    contexts.saveContext(context, request, response);
    audit.record("console.sign_in", caller.keyId().toString(), "OK");
    log.info("event=console_signed_in key={}", caller.label());
    return new SignedIn(caller);
  }

  /** Whether the key behind {@code a} is still active (a revoked key ends its sessions). */
  boolean stillValid(Authentication a) {
    if (a == null || !(a.getPrincipal() instanceof Caller c)) {
      return true; // not a console session: nothing to check
    }
    try {
      return keys.active(c.keyId());
    } catch (DataAccessException | CannotCreateTransactionException e) {
      return true; // the next request checks again; the database being away is not a revocation
    }
  }

  SecurityContextRepository contexts() {
    return contexts;
  }

  static Authentication authentication(Caller caller) {
    return new UsernamePasswordAuthenticationToken(
        caller, null, List.of(new SimpleGrantedAuthority("ROLE_" + caller.role().name())));
  }
}
