package dev.ums.console;

import dev.ums.security.ConsoleSignIn;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.http.HttpHeaders;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;

/** The sign-in page: an ADMIN API key in, a console session out (see {@link ConsoleSignIn}). */
@Controller
@ConditionalOnWebApplication
class SignInController {

  private final ConsoleSignIn signIn;
  private final ConsoleProperties props;

  SignInController(ConsoleSignIn signIn, ConsoleProperties props) {
    this.signIn = signIn;
    this.props = props;
  }

  @GetMapping("/console/sign-in")
  String page(HttpServletRequest request, Model model) {
    if (request.getParameter("expired") != null) {
      model.addAttribute("notice", "Your session ended. Sign in again.");
    } else if (request.getParameter("signed-out") != null) {
      model.addAttribute("notice", "You are signed out.");
    } else if (request.getParameter("revoked") != null) {
      model.addAttribute("notice", "The key of your session was revoked. Sign in again.");
    }
    model.addAttribute("idleMinutes", props.idleTimeout().toMinutes());
    return "console/sign-in";
  }

  @PostMapping("/console/sign-in")
  String signIn(
      @RequestParam(defaultValue = "") String key,
      HttpServletRequest request,
      HttpServletResponse response,
      Model model) {
    ConsoleSignIn.Outcome outcome = signIn.signIn(key, request, response, props.idleTimeout());
    model.addAttribute("idleMinutes", props.idleTimeout().toMinutes());
    if (outcome instanceof ConsoleSignIn.SignedIn) {
      return "redirect:/console";
    } else if (outcome instanceof ConsoleSignIn.NotAdmin) {
      response.setStatus(HttpServletResponse.SC_FORBIDDEN);
      model.addAttribute(
          "error", "Only an ADMIN key can sign in to the console; this is a SENDER key.");
    } else if (outcome instanceof ConsoleSignIn.Limited l) {
      response.setStatus(429);
      response.setHeader(HttpHeaders.RETRY_AFTER, Long.toString(l.retryAfterSeconds()));
      model.addAttribute(
          "error",
          "Too many failed sign-ins from this address. Retry in " + l.retryAfterSeconds() + " s.");
    } else if (outcome instanceof ConsoleSignIn.Unavailable) {
      response.setStatus(HttpServletResponse.SC_SERVICE_UNAVAILABLE);
      model.addAttribute("error", "The key store is not reachable. Retry later.");
    } else {
      response.setStatus(HttpServletResponse.SC_UNAUTHORIZED);
      model.addAttribute("error", "This key is unknown, revoked or malformed.");
    }
    return "console/sign-in";
  }
}
