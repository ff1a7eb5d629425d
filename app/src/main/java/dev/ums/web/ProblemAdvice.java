package dev.ums.web;

import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.security.web.firewall.RequestRejectedException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.InvalidFormatException;
import tools.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * The one place errors become RFC 9457 problems. Spring MVC's own failures (405, 415, 404 route,
 * unreadable JSON) come through the base class; features throw {@link ApiProblem}; a database that
 * does not answer is a 503 with {@code Retry-After}; anything else is a bare 500 whose cause goes
 * to the log, never to the client.
 */
@RestControllerAdvice
class ProblemAdvice extends ResponseEntityExceptionHandler {

  private static final Logger log = LoggerFactory.getLogger(ProblemAdvice.class);
  private static final Pattern DUPLICATE = Pattern.compile("^Duplicate Object property \"(.*)\"");
  static final Duration DB_RETRY_AFTER = Duration.ofSeconds(5);

  @ExceptionHandler(ApiProblem.class)
  ResponseEntity<ProblemDetail> apiProblem(ApiProblem p) {
    ResponseEntity.BodyBuilder b = ResponseEntity.status(p.status());
    if (p.retryAfter() != null) {
      // Whole seconds, rounded up: a client that waits this long finds the resource back.
      long ms = p.retryAfter().toMillis();
      b.header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (ms + 999) / 1000)));
    }
    p.headers().forEach(b::header);
    return b.body(p.toProblemDetail());
  }

  @ExceptionHandler({
    CannotCreateTransactionException.class,
    DataAccessResourceFailureException.class,
    TransientDataAccessException.class
  })
  ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
    log.warn("event=db_unavailable error={}", e.getClass().getSimpleName());
    return apiProblem(
        new ApiProblem(
                HttpStatus.SERVICE_UNAVAILABLE,
                "unavailable",
                "Service unavailable",
                "The message store is not reachable; nothing was stored. Retry later.")
            .retryAfter(DB_RETRY_AFTER));
  }

  /**
   * A path or header value Spring Security's HTTP firewall refuses, found after the security
   * filters (a header read by a controller). The value is neither echoed nor logged.
   */
  @ExceptionHandler(RequestRejectedException.class)
  ResponseEntity<ProblemDetail> rejected(RequestRejectedException e) {
    return apiProblem(
        new ApiProblem(
            HttpStatus.BAD_REQUEST, "rejected", "Request rejected", ProblemWriter.REJECTED_DETAIL));
  }

  @ExceptionHandler(Exception.class)
  ResponseEntity<ProblemDetail> unexpected(Exception e) {
    BoundedBody.TooLarge tooLarge = cause(e, BoundedBody.TooLarge.class);
    if (tooLarge != null) {
      return apiProblem(
          tooLarge("The request body exceeds " + tooLarge.limit() + " bytes")
              .with("limit", tooLarge.limit()));
    }
    log.error("event=unexpected_error", e);
    return apiProblem(
        new ApiProblem(
            HttpStatus.INTERNAL_SERVER_ERROR, "internal", "Internal error", "Unexpected error"));
  }

  @Override
  protected ResponseEntity<Object> handleHttpMessageNotReadable(
      HttpMessageNotReadableException ex,
      HttpHeaders headers,
      HttpStatusCode status,
      WebRequest request) {
    ApiProblem p = unreadable(ex);
    ResponseEntity.BodyBuilder b = ResponseEntity.status(p.status());
    p.headers().forEach(b::header);
    return b.body(p.toProblemDetail());
  }

  /** Why a body could not be read, from the most specific cause down to "not JSON". */
  private static ApiProblem unreadable(HttpMessageNotReadableException ex) {
    BoundedBody.TooLarge tooLarge = cause(ex, BoundedBody.TooLarge.class);
    if (tooLarge != null) {
      return tooLarge("The request body exceeds " + tooLarge.limit() + " bytes")
          .with("limit", tooLarge.limit());
    }
    if (cause(ex, BoundedBody.MalformedUtf8.class) != null) {
      return malformed("The body is not well-formed UTF-8");
    }
    StreamConstraintsException limit = cause(ex, StreamConstraintsException.class);
    if (limit != null) {
      String what = String.valueOf(limit.getOriginalMessage());
      if (what.startsWith("String value length") || what.startsWith("Document length")) {
        return tooLarge("The request body or one of its values is too large");
      }
      return malformed("The body nests too deeply or holds an overlong number");
    }
    Throwable cause = ex.getCause();
    if (cause instanceof UnrecognizedPropertyException u) {
      return ApiProblem.validation(
          List.of(FieldProblem.of(path(u), "unknown field '" + u.getPropertyName() + "'")));
    }
    if (cause instanceof InvalidFormatException f
        && f.getTargetType() == byte[].class
        && !f.getPath().isEmpty()) {
      return ApiProblem.validation(List.of(FieldProblem.of(path(f), "not valid base64")));
    }
    if (cause instanceof DatabindException d && !d.getPath().isEmpty()) {
      return ApiProblem.validation(List.of(FieldProblem.of(path(d), "wrong type")));
    }
    if (cause instanceof StreamReadException r) {
      Matcher m = DUPLICATE.matcher(String.valueOf(r.getOriginalMessage()));
      if (m.find()) {
        return ApiProblem.validation(List.of(FieldProblem.of(m.group(1), "duplicate key")));
      }
    }
    return malformed("The body is not valid JSON");
  }

  private static ApiProblem tooLarge(String detail) {
    return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, "too-large", "Request too large", detail)
        // The rest of the body is not read; the connection cannot carry another request.
        .header(HttpHeaders.CONNECTION, "close");
  }

  private static ApiProblem malformed(String detail) {
    return new ApiProblem(
        HttpStatus.BAD_REQUEST, "malformed-json", "Malformed request body", detail);
  }

  private static <T extends Throwable> T cause(Throwable t, Class<T> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }

  @Override
  protected ResponseEntity<Object> handleTypeMismatch(
      TypeMismatchException ex, HttpHeaders headers, HttpStatusCode status, WebRequest request) {
    ApiProblem p =
        new ApiProblem(
            HttpStatus.BAD_REQUEST,
            "bad-parameter",
            "Bad parameter",
            "'" + ex.getPropertyName() + "' is malformed");
    return ResponseEntity.status(p.status()).body(p.toProblemDetail());
  }

  @Override
  protected ResponseEntity<Object> createResponseEntity(
      Object body, HttpHeaders headers, HttpStatusCode statusCode, WebRequest request) {
    if (body instanceof ProblemDetail pd
        && (pd.getType() == null || "about:blank".equals(pd.getType().toString()))) {
      pd.setType(ApiProblem.typeUri("http-" + statusCode.value()));
    }
    return super.createResponseEntity(body, headers, statusCode, request);
  }

  /** A JSON path such as {@code messages[3].to}, from Jackson's reference chain. */
  private static String path(DatabindException e) {
    StringBuilder sb = new StringBuilder();
    for (var ref : e.getPath()) {
      if (ref.getPropertyName() != null) {
        if (!sb.isEmpty()) {
          sb.append('.');
        }
        sb.append(ref.getPropertyName());
      } else if (ref.getIndex() >= 0) {
        sb.append('[').append(ref.getIndex()).append(']');
      }
    }
    return sb.isEmpty() ? "$" : sb.toString();
  }
}
