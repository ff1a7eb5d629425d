package dev.ums.failure;

import dev.ums.ledger.Ledger;
import dev.ums.ledger.MessageStatus;
import dev.ums.message.MessageService;
import dev.ums.message.MessageView;
import dev.ums.message.MessagesQueued;
import dev.ums.web.ApiProblem;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The dead-letter route: list FAILED messages, re-drive them (one, or many by filter), or mark them
 * resolved without resending.
 *
 * <p>A re-drive is FAILED → QUEUED plus a new outbox row (due now, attempt budget 0) in one short
 * transaction; the failure history stays. It is idempotent: only what is FAILED at that moment
 * moves, so re-driving twice queues nothing the second time and never makes a second outbox row.
 * {@code message.attempts} restarts from 0, as the dispatcher counts attempts per outbox row; the
 * {@code send_failure} rows keep every earlier attempt. The retry age limit ({@code
 * ums.retry.max-age}) still counts from the original intake.
 */
@Service
public class DeadLetterService {

  private static final Logger log = LoggerFactory.getLogger(DeadLetterService.class);

  /** Messages moved per re-drive transaction. */
  static final int CHUNK = 500;

  private final FailureRepository repo;
  private final Ledger ledger;
  private final ApplicationEventPublisher events;
  private final MessageService messages;
  private final Clock clock;

  DeadLetterService(
      FailureRepository repo,
      Ledger ledger,
      ApplicationEventPublisher events,
      MessageService messages,
      Clock clock) {
    this.messages = messages;
    this.repo = repo;
    this.ledger = ledger;
    this.events = events;
    this.clock = clock;
  }

  /** A page of dead letters, newest first (by when they failed, then id). */
  public DeadLetterPage list(DeadLetterFilter filter, Cursor after, int limit) {
    List<DeadLetter> found = repo.scanNewestFirst(repo.where(filter), after, limit + 1);
    String next = null;
    if (found.size() > limit) {
      found = found.subList(0, limit);
      DeadLetter last = found.get(limit - 1);
      next = new Cursor(last.updatedAt(), last.id()).encode();
    }
    Map<UUID, List<DeadLetter.Failure>> failures =
        repo.failures(found.stream().map(DeadLetter::id).toList());
    List<DeadLetter> items =
        found.stream().map(d -> d.withFailures(failures.getOrDefault(d.id(), List.of()))).toList();
    return new DeadLetterPage(items, next);
  }

  /** How many dead letters match {@code filter} now (what a bulk re-drive of it would move). */
  public long count(DeadLetterFilter filter) {
    long total = 0;
    if (filter.ids() != null) {
      List<UUID> ids = filter.ids().stream().distinct().toList();
      for (int i = 0; i < ids.size(); i += CHUNK) {
        total +=
            repo.count(repo.where(filter.withIds(ids.subList(i, Math.min(ids.size(), i + CHUNK)))));
      }
      return total;
    }
    return repo.count(repo.where(filter));
  }

  /**
   * Any message (of any status) with its failure history, oldest attempt first; empty if unknown.
   */
  public java.util.Optional<DeadLetter> history(UUID id) {
    return repo.deadLetter(id);
  }

  /** Re-drives one FAILED message (resolved or not); 404 if unknown, 409 if not FAILED. */
  public MessageView redrive(UUID id) {
    Instant now = now();
    int moved = ledger.redrive(List.of(id), true, now);
    if (moved == 0) {
      MessageStatus status =
          repo.status(id, null).orElseThrow(() -> ApiProblem.notFound("Message"));
      throw new ApiProblem(
              HttpStatus.CONFLICT,
              "not-failed",
              "Not a dead letter",
              "Only a FAILED message can be re-driven; this one is " + status)
          .with("currentStatus", status);
    }
    events.publishEvent(new MessagesQueued(1, true, MessagesQueued.Cause.REDRIVE));
    log.info("event=admin_redrive message_id={}", id);
    return messages.find(null, id).orElseThrow(() -> ApiProblem.notFound("Message"));
  }

  /**
   * Re-drives every dead letter that matches, {@value #CHUNK} per transaction. Returns how many
   * moved. A failure midway leaves earlier chunks re-driven; running it again picks up the rest.
   */
  public int redrive(DeadLetterFilter filter) {
    int total = 0;
    if (filter.ids() != null) {
      List<UUID> ids = filter.ids().stream().distinct().toList();
      for (int i = 0; i < ids.size(); i += CHUNK) {
        total += redriveMatching(filter.withIds(ids.subList(i, Math.min(ids.size(), i + CHUNK))));
      }
    } else {
      total = redriveMatching(filter);
    }
    if (total > 0) {
      events.publishEvent(new MessagesQueued(total, true, MessagesQueued.Cause.REDRIVE));
    }
    log.info(
        "event=admin_bulk_redrive count={} from={} to={} classification={} recipient_filter={}"
            + " include_resolved={} ids={}",
        total,
        filter.from(),
        filter.to(),
        filter.classification(),
        filter.recipientDigests() != null && !filter.recipientDigests().isEmpty(),
        filter.includeResolved(),
        filter.ids() == null ? "none" : filter.ids().size());
    return total;
  }

  private int redriveMatching(DeadLetterFilter filter) {
    FailureRepository.Where where = repo.where(filter);
    int total = 0;
    UUID after = null;
    while (true) {
      List<DeadLetter> rows = repo.scanById(where, after, CHUNK);
      if (rows.isEmpty()) {
        break;
      }
      after = rows.get(rows.size() - 1).id();
      List<UUID> ids = rows.stream().map(DeadLetter::id).toList();
      Instant now = now();
      total += ledger.redrive(ids, filter.includeResolved(), now);
      if (rows.size() < CHUNK) {
        break;
      }
    }
    return total;
  }

  /**
   * Marks a FAILED message handled without resending: it stays FAILED, leaves the default listing,
   * and its unresolved failures get {@code by} and the time. 404 unknown, 409 if not an unresolved
   * FAILED message.
   */
  public DeadLetter resolve(UUID id, String by, String reason) {
    Instant now = now();
    boolean done = ledger.resolve(id, by, reason, now);
    if (!done) {
      MessageStatus status =
          repo.status(id, null).orElseThrow(() -> ApiProblem.notFound("Message"));
      if (status == MessageStatus.FAILED) {
        throw new ApiProblem(
                HttpStatus.CONFLICT,
                "already-resolved",
                "Already resolved",
                "This dead letter was already resolved")
            .with("currentStatus", status);
      }
      throw new ApiProblem(
              HttpStatus.CONFLICT,
              "not-failed",
              "Not a dead letter",
              "Only a FAILED message can be resolved; this one is " + status)
          .with("currentStatus", status);
    }
    // by and reason are free text from a person: not logged.
    log.info("event=admin_resolve message_id={}", id);
    return repo.deadLetter(id).orElseThrow(() -> ApiProblem.notFound("Message"));
  }

  private Instant now() {
    // PostgreSQL keeps microseconds: cursors and answers carry exactly what is stored.
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }
}
