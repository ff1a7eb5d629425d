package dev.ums.security;

import dev.ums.web.ProblemWriter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Authenticates {@code Authorization: Bearer <key>}. A present but unknown, revoked or malformed
 * key is refused at once with 401; no header leaves the request anonymous for the authorization
 * rules to refuse (401) where a key is required.
 *
 * <p>Cheap refusals first: a source address that has spent its failed-authentication allowance
 * ({@link FailedAuthLimiter}) is answered 429 with {@code Retry-After} before its key is looked at;
 * a token that is not shaped like a key is a 401 without a hash or a query; a key found unknown
 * moments ago is a 401 from memory ({@link ApiKeys}). Every 401 for a presented key counts against
 * the address.
 */
class ApiKeyFilter extends OncePerRequestFilter {

  private final ApiKeys keys;
  private final FailedAuthLimiter limiter;
  private final Counter malformed;
  private final Counter unknown;
  private final Counter limited;

  ApiKeyFilter(ApiKeys keys, FailedAuthLimiter limiter, MeterRegistry meters) {
    this.keys = keys;
    this.limiter = limiter;
    this.malformed = failures(meters, "malformed");
    this.unknown = failures(meters, "unknown");
    this.limited = failures(meters, "limited");
  }

  private static Counter failures(MeterRegistry meters, String reason) {
    return Counter.builder("ums.auth.failures")
        .description(
            "Requests refused for their API key: malformed, unknown or revoked, or"
                + " from an address over its failed-authentication limit")
        .tag("reason", reason)
        .register(meters);
  }

  /** Health stays answerable (and key-free) even when the key store is down. */
  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    String path = request.getRequestURI();
    return path.equals("/actuator/health") || path.startsWith("/actuator/health/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header != null) {
      String address = request.getRemoteAddr();
      long wait = limiter.retryAfterSeconds(address);
      if (wait > 0) {
        limited.increment();
        response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(wait));
        ProblemWriter.write(
            response,
            HttpStatus.TOO_MANY_REQUESTS,
            "too-many-failed-authentications",
            "Too many failed authentications",
            "Too many requests from this address presented a bad API key. Retry later.",
            Map.of());
        return;
      }
      String token =
          header.regionMatches(true, 0, "Bearer ", 0, 7) ? header.substring(7).trim() : "";
      if (!ApiKeys.wellFormed(token)) {
        malformed.increment();
        limiter.failed(address);
        unauthorized(response, "The API key is unknown, revoked or malformed");
        return;
      }
      Optional<Caller> caller;
      try {
        caller = keys.authenticate(token);
      } catch (DataAccessException | CannotCreateTransactionException e) {
        response.setHeader(HttpHeaders.RETRY_AFTER, "5");
        ProblemWriter.write(
            response,
            HttpStatus.SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            "The key store is not reachable. Retry later.",
            Map.of());
        return;
      }
      if (caller.isEmpty()) {
        unknown.increment();
        limiter.failed(address);
        unauthorized(response, "The API key is unknown, revoked or malformed");
        return;
      }
      Caller c = caller.get();
      var auth =
          new UsernamePasswordAuthenticationToken(
              c, null, List.of(new SimpleGrantedAuthority("ROLE_" + c.role().name())));
      SecurityContextHolder.getContext().setAuthentication(auth);
    }
    chain.doFilter(request, response);
  }

  static void unauthorized(HttpServletResponse response, String detail) throws IOException {
    response.setHeader(HttpHeaders.WWW_AUTHENTICATE, "Bearer");
    ProblemWriter.write(
        response, HttpStatus.UNAUTHORIZED, "unauthorized", "Unauthorized", detail, Map.of());
  }
}
