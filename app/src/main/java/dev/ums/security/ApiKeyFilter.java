package dev.ums.security;

import dev.ums.web.ProblemWriter;
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
 * rules to refuse (401) where a key is required. Keys are checked against the database on every
 * request, so a revoked key stops working immediately.
 */
class ApiKeyFilter extends OncePerRequestFilter {

  private final ApiKeys keys;

  ApiKeyFilter(ApiKeys keys) {
    this.keys = keys;
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
      Optional<Caller> caller;
      try {
        caller =
            header.regionMatches(true, 0, "Bearer ", 0, 7) && header.length() > 7
                ? keys.authenticate(header.substring(7).trim())
                : Optional.empty();
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
