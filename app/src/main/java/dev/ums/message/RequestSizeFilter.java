package dev.ums.message;

import dev.ums.web.BoundedBody;
import dev.ums.web.ProblemWriter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Bounds every {@code /api} request body to {@code ums.limits.max-request-bytes}, so a huge upload
 * cannot exhaust memory. A declared {@code Content-Length} over the limit is refused here, before
 * anything is read (filters run before MVC's advice, so the problem is written directly). A body
 * without one (chunked) is counted as it is read: past the limit the read fails with {@link
 * BoundedBody.TooLarge}, which the advice turns into the same 413, and the rest is never read.
 */
@Component
class RequestSizeFilter extends OncePerRequestFilter {

  private final long maxBytes;

  RequestSizeFilter(LimitsProperties limits) {
    this.maxBytes = limits.maxRequestBytes().toBytes();
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
      response.setHeader("Connection", "close");
      ProblemWriter.write(
          response,
          HttpStatus.CONTENT_TOO_LARGE,
          "too-large",
          "Request too large",
          "The request body exceeds " + maxBytes + " bytes",
          Map.of("limit", maxBytes));
      return;
    }
    chain.doFilter(BoundedBody.wrap(request, maxBytes), response);
  }
}
