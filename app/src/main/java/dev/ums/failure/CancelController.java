package dev.ums.failure;

import dev.ums.message.MessageController;
import dev.ums.message.MessageView;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Cancel a QUEUED message: by its owning client ({@code /api/messages/{id}/cancel}) or by an admin
 * ({@code /api/admin/messages/{id}/cancel}). See {@link Cancellation} for the rules.
 */
@RestController
class CancelController {

  private final Cancellation cancellation;

  CancelController(Cancellation cancellation) {
    this.cancellation = cancellation;
  }

  @PostMapping(path = "/api/messages/{id}/cancel", produces = MediaType.APPLICATION_JSON_VALUE)
  MessageView cancelOwn(@PathVariable UUID id) {
    return cancellation.cancel(id, MessageController.DEFAULT_CLIENT);
  }

  @PostMapping(
      path = "/api/admin/messages/{id}/cancel",
      produces = MediaType.APPLICATION_JSON_VALUE)
  MessageView cancelAny(@PathVariable UUID id) {
    return cancellation.cancel(id, null);
  }
}
