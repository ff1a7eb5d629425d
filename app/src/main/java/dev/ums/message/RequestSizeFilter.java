package dev.ums.message;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses an intake body larger than {@code ums.limits.max-request-bytes} before it is read, so a
 * huge upload cannot exhaust memory. Filters run before MVC's advice, so the problem is written
 * here directly.
 */
@Component
class RequestSizeFilter extends OncePerRequestFilter {

  private final long maxBytes;

  RequestSizeFilter(IntakeProperties props) {
    this.maxBytes = props.limits().maxRequestBytes().toBytes();
  }

  @Override
  protected boolean shouldNotFilter(HttpServletRequest request) {
    return !request.getRequestURI().startsWith("/api/");
  }

  @Override
  protected void doFilterInternal(
      HttpServletRequest request, HttpServletResponse response, FilterChain chain)
      throws ServletException, IOException {
    if (request.getContentLengthLong() > maxBytes) {
      response.setStatus(HttpServletResponse.SC_REQUEST_ENTITY_TOO_LARGE);
      response.setContentType("application/problem+json");
      response.setHeader("Connection", "close");
      response
          .getOutputStream()
          .write(
              ("{\"type\":\"/problems/too-large\",\"title\":\"Request too large\",\"status\":413,"
                      + "\"detail\":\"The request body exceeds "
                      + maxBytes
                      + " bytes\",\"limit\":"
                      + maxBytes
                      + "}")
                  .getBytes(StandardCharsets.UTF_8));
      return;
    }
    chain.doFilter(request, response);
  }
}
