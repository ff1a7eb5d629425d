package dev.ums.bounce;

import java.time.Instant;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** {@code /api/admin/bounces}: every client's bounces and complaints, or one client's (ADMIN). */
@RestController
class BounceAdminController {

  private final BounceListing listing;

  BounceAdminController(BounceListing listing) {
    this.listing = listing;
  }

  @GetMapping(path = "/api/admin/bounces", produces = MediaType.APPLICATION_JSON_VALUE)
  BouncePage list(
      @RequestParam(required = false) String clientId,
      @RequestParam(required = false) Instant since,
      @RequestParam(required = false) Instant until,
      @RequestParam(required = false) String type,
      @RequestParam(required = false) UUID messageId,
      @RequestParam(defaultValue = "" + BounceListing.DEFAULT_LIMIT) int limit,
      @RequestParam(required = false) String cursor) {
    String client = clientId == null || clientId.isBlank() ? null : clientId.strip();
    return listing.list(client, since, until, type, messageId, limit, cursor);
  }
}
