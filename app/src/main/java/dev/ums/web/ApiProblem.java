package dev.ums.web;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;

/**
 * An error that leaves the API as RFC 9457 {@code application/problem+json}. Thrown by features,
 * rendered by {@link ProblemAdvice}. The detail text must never carry addresses, subjects or
 * bodies.
 */
public class ApiProblem extends RuntimeException {

  private final HttpStatus status;
  private final String type;
  private final String title;
  private final Map<String, Object> properties = new LinkedHashMap<>();
  private Duration retryAfter;
  private final Map<String, String> headers = new LinkedHashMap<>();

  public ApiProblem(HttpStatus status, String type, String title, String detail) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
  }

  /** 400 with one entry per bad field. */
  public static ApiProblem validation(List<FieldProblem> errors) {
    String detail =
        errors.size() == 1
            ? errors.get(0).field() + ": " + errors.get(0).message()
            : errors.size() + " fields are invalid";
    return new ApiProblem(HttpStatus.BAD_REQUEST, "validation", "Invalid request", detail)
        .with("errors", errors);
  }

  /** 404 for an id that does not exist (or is not the caller's). */
  public static ApiProblem notFound(String what) {
    return new ApiProblem(HttpStatus.NOT_FOUND, "not-found", "Not found", what + " not found");
  }

  public ApiProblem with(String name, Object value) {
    properties.put(name, value);
    return this;
  }

  public ApiProblem retryAfter(Duration delay) {
    this.retryAfter = delay;
    return this;
  }

  /** An extra response header (e.g. the RateLimit-* fields of a 429). */
  public ApiProblem header(String name, String value) {
    headers.put(name, value);
    return this;
  }

  Map<String, String> headers() {
    return headers;
  }

  public HttpStatus status() {
    return status;
  }

  Duration retryAfter() {
    return retryAfter;
  }

  ProblemDetail toProblemDetail() {
    ProblemDetail pd = ProblemDetail.forStatusAndDetail(status, getMessage());
    pd.setType(typeUri(type));
    pd.setTitle(title);
    properties.forEach(pd::setProperty);
    return pd;
  }

  static URI typeUri(String slug) {
    return URI.create("/problems/" + slug);
  }
}
