package dev.ums.bounce;

import dev.ums.security.Caller;
import java.time.Instant;
import java.util.UUID;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code /api/bounces}: the bounces and complaints recorded about the caller's client's mail
 * (SENDER or ADMIN key; an admin key sees its own client's here, every client's under {@code
 * /api/admin/bounces}).
 */
@RestController
class BounceController {

  private final BounceListing listing;

  BounceController(BounceListing listing) {
    this.listing = listing;
  }

  @GetMapping(path = "/api/bounces", produces = MediaType.APPLICATION_JSON_VALUE)
  BouncePage list(
      @RequestParam(required = false) Instant since,
      @RequestParam(required = false) Instant until,
      @RequestParam(required = false) String type,
      @RequestParam(required = false) UUID messageId,
      @RequestParam(defaultValue = "" + BounceListing.DEFAULT_LIMIT) int limit,
      @RequestParam(required = false) String cursor) {
    return listing.list(Caller.current().clientId(), since, until, type, messageId, limit, cursor);
  }
}
