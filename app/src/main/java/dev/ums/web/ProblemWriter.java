package dev.ums.web;

import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.springframework.http.HttpStatus;
import tools.jackson.databind.json.JsonMapper;

/**
 * Writes a problem+json answer directly, for the few places that run before Spring MVC (servlet
 * filters: request size, authentication) and so cannot reach {@link ProblemAdvice}.
 */
public final class ProblemWriter {

  private static final JsonMapper JSON = JsonMapper.builder().build();

  /** Why the HTTP firewall refused a request; the offending value itself is never repeated. */
  public static final String REJECTED_DETAIL =
      "The request path or a header value is not allowed (unnormalized path, encoded separator or"
          + " control character)";

  private ProblemWriter() {}

  /** 400 for a request Spring Security's HTTP firewall refuses. */
  public static void rejected(HttpServletResponse response) throws IOException {
    write(
        response,
        HttpStatus.BAD_REQUEST,
        "rejected",
        "Request rejected",
        REJECTED_DETAIL,
        Map.of());
  }

  public static void write(
      HttpServletResponse response,
      HttpStatus status,
      String type,
      String title,
      String detail,
      Map<String, Object> extra)
      throws IOException {
    Map<String, Object> body = new java.util.LinkedHashMap<>();
    body.put("type", ApiProblem.typeUri(type).toString());
    body.put("title", title);
    body.put("status", status.value());
    body.put("detail", detail);
    body.putAll(extra);
    response.setStatus(status.value());
    response.setContentType("application/problem+json");
    response
        .getOutputStream()
        .write(JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8));
  }
}
