package dev.ums.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Map;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Replaces Spring Boot's {@code /error} (its JSON is not a problem, and a direct call answered
 * 500): whatever the servlet container sends here leaves as problem+json with the original status.
 * Called directly, {@code /error} is just an unknown resource: 404.
 */
@RestController
class ProblemErrorController implements ErrorController {

  @RequestMapping("${server.error.path:/error}")
  void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
    HttpStatus status =
        request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code
            ? HttpStatus.resolve(code)
            : null;
    if (status == null || !status.isError()) {
      status = HttpStatus.NOT_FOUND;
    }
    String type =
        switch (status) {
          case NOT_FOUND -> "not-found";
          case CONTENT_TOO_LARGE -> "too-large";
          case INTERNAL_SERVER_ERROR -> "internal";
          default -> "http-" + status.value();
        };
    String detail =
        switch (status) {
          case NOT_FOUND -> "No such resource";
          case INTERNAL_SERVER_ERROR -> "Unexpected error";
          default -> status.getReasonPhrase();
        };
    ProblemWriter.write(response, status, type, status.getReasonPhrase(), detail, Map.of());
  }
}
