package dev.ums.console;

import dev.ums.email.DevInbox;
import dev.ums.security.Caller;
import dev.ums.web.ApiProblem;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.dao.DataAccessException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ModelAttribute;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

/**
 * What every console page shows (who is signed in, whether the capture inbox exists), and errors as
 * pages rather than problem+json: the API's {@code ProblemAdvice} stays the API's. An error page
 * shows the problem's detail, which by contract carries no personal data.
 */
@ControllerAdvice(basePackageClasses = ConsoleAdvice.class)
@Order(Ordered.HIGHEST_PRECEDENCE)
class ConsoleAdvice {

  private static final Logger log = LoggerFactory.getLogger(ConsoleAdvice.class);

  private static final Fmt FMT = new Fmt();

  private final ObjectProvider<DevInbox> inbox;

  ConsoleAdvice(ObjectProvider<DevInbox> inbox) {
    this.inbox = inbox;
  }

  @ModelAttribute
  void common(HttpServletRequest request, Model model) {
    model.addAttribute("path", request.getRequestURI());
    model.addAttribute("fmt", FMT);
    model.addAttribute("inboxPresent", inbox.getIfAvailable() != null);
    try {
      model.addAttribute("signedInAs", Caller.current().actor());
    } catch (IllegalStateException e) {
      model.addAttribute("signedInAs", null);
    }
  }

  @ExceptionHandler(ApiProblem.class)
  String problem(ApiProblem p, HttpServletResponse response, Model model) {
    response.setStatus(p.status().value());
    model.addAttribute("status", p.status().value());
    model.addAttribute("title", p.status().getReasonPhrase());
    model.addAttribute("detail", p.getMessage());
    return "console/error";
  }

  @ExceptionHandler(MethodArgumentTypeMismatchException.class)
  String badArgument(
      MethodArgumentTypeMismatchException e, HttpServletResponse response, Model model) {
    return badRequest("'" + e.getName() + "' is malformed", response, model);
  }

  @ExceptionHandler({
    org.springframework.validation.BindException.class,
    org.springframework.web.bind.MissingServletRequestParameterException.class
  })
  String unbindable(Exception e, HttpServletResponse response, Model model) {
    return badRequest("The form was incomplete or malformed", response, model);
  }

  private static String badRequest(String detail, HttpServletResponse response, Model model) {
    response.setStatus(400);
    model.addAttribute("status", 400);
    model.addAttribute("title", "Bad Request");
    model.addAttribute("detail", detail);
    return "console/error";
  }

  @ExceptionHandler({DataAccessException.class, CannotCreateTransactionException.class})
  String unavailable(RuntimeException e, HttpServletResponse response, Model model) {
    log.warn("event=console_database_error error={}", e.getClass().getSimpleName());
    response.setStatus(503);
    response.setHeader("Retry-After", "5");
    model.addAttribute("status", 503);
    model.addAttribute("title", "Service Unavailable");
    model.addAttribute("detail", "The database is not reachable. Retry later.");
    return "console/error";
  }
}
