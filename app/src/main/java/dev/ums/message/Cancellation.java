package dev.ums.message;

import dev.ums.ledger.Ledger;
import dev.ums.ledger.MessageStatus;
import dev.ums.web.ApiProblem;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * Withdraws a QUEUED message (due or scheduled) before any dispatcher has claimed it: its outbox
 * row is deleted only if unclaimed, and the message moves QUEUED → CANCELLED, both in one
 * transaction. A message in flight (SENDING) cannot be called back from the relay, so it — like a
 * SENT, FAILED or CANCELLED one — is not cancellable (409).
 */
@Service
class Cancellation {

  private static final Logger log = LoggerFactory.getLogger(Cancellation.class);

  private final MessageRepository repo;
  private final Ledger ledger;
  private final Clock clock;

  Cancellation(MessageRepository repo, Ledger ledger, Clock clock) {
    this.repo = repo;
    this.ledger = ledger;
    this.clock = clock;
  }

  /**
   * Cancels {@code id}; {@code clientId} null means any client (admin). 404 if unknown (or not the
   * client's), 409 {@code /problems/not-cancellable} with the current status otherwise.
   */
  MessageView cancel(UUID id, String clientId) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.MICROS);
    boolean cancelled = ledger.cancel(id, clientId, now);
    if (!cancelled) {
      MessageStatus status =
          repo.status(id, clientId).orElseThrow(() -> ApiProblem.notFound("Message"));
      throw new ApiProblem(
              HttpStatus.CONFLICT,
              "not-cancellable",
              "Not cancellable",
              "Only a QUEUED message that no dispatcher has claimed can be cancelled; this one is "
                  + status)
          .with("currentStatus", status);
    }
    log.info(
        "event=message_cancelled message_id={} by={}", id, clientId == null ? "admin" : "client");
    return repo.find(null, id).orElseThrow(() -> ApiProblem.notFound("Message"));
  }
}
