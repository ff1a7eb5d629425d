package dev.ums.console;

import dev.ums.email.DevInbox;
import dev.ums.web.ApiProblem;
import jakarta.servlet.http.HttpServletResponse;
import java.nio.charset.StandardCharsets;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;

/**
 * The capture inbox (development mode without a relay only, as {@code GET /api/dev/inbox}): the
 * mail it caught, and one mail's headers, text and HTML. The HTML part is served on its own URL for
 * a {@code sandbox=""} frame, with a CSP that allows no script, no network and no form, so a
 * captured mail can neither run code nor fetch a tracking pixel.
 */
@Controller
class InboxController {

  /** What a captured HTML part may do: show itself, with inline styles and inline images. */
  static final String HTML_CSP =
      "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox;"
          + " frame-ancestors 'self'; form-action 'none'; base-uri 'none'";

  private final ObjectProvider<DevInbox> inbox;

  InboxController(ObjectProvider<DevInbox> inbox) {
    this.inbox = inbox;
  }

  private DevInbox inbox() {
    DevInbox i = inbox.getIfAvailable();
    if (i == null) {
      throw new ApiProblem(
          HttpStatus.NOT_FOUND,
          "not-found",
          "No capture inbox",
          "The capture inbox exists only in development mode while no SMTP relay is set");
    }
    return i;
  }

  @GetMapping("/console/inbox")
  String list(Model model) {
    model.addAttribute("mails", inbox().list(100));
    return "console/inbox";
  }

  @GetMapping("/console/inbox/mail")
  String mail(@RequestParam String id, Model model) {
    model.addAttribute(
        "mail", inbox().open(id).orElseThrow(() -> ApiProblem.notFound("Captured mail")));
    model.addAttribute("id", id);
    return "console/inbox-mail";
  }

  @GetMapping("/console/inbox/html")
  ResponseEntity<byte[]> html(@RequestParam String id, HttpServletResponse response) {
    DevInbox.CapturedMail mail =
        inbox().open(id).orElseThrow(() -> ApiProblem.notFound("Captured mail"));
    String html = mail.html() == null ? "" : mail.html();
    return ResponseEntity.ok()
        .contentType(new MediaType("text", "html", StandardCharsets.UTF_8))
        .header("Content-Security-Policy", HTML_CSP)
        .header("X-Content-Type-Options", "nosniff")
        .header(HttpHeaders.CACHE_CONTROL, "no-store")
        .body(html.getBytes(StandardCharsets.UTF_8));
  }
}
