package dev.ums.email;

import dev.ums.web.ApiProblem;
import dev.ums.web.FieldProblem;
import java.util.List;
import org.springframework.context.annotation.Conditional;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** Shows what the capture inbox received. Exists only while no SMTP relay is configured. */
@RestController
@Conditional(CaptureInboxMode.class)
class DevInboxController {

  static final int MAX_LIMIT = 500;

  private final DevInbox inbox;

  DevInboxController(DevInbox inbox) {
    this.inbox = inbox;
  }

  @GetMapping(path = "/api/dev/inbox", produces = MediaType.APPLICATION_JSON_VALUE)
  InboxView list(@RequestParam(defaultValue = "50") int limit) {
    if (limit < 1 || limit > MAX_LIMIT) {
      throw ApiProblem.validation(
          List.of(FieldProblem.of("limit", "must be between 1 and " + MAX_LIMIT)));
    }
    return new InboxView(inbox.list(limit));
  }

  record InboxView(List<DevInbox.Captured> messages) {}
}
