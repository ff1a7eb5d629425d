package dev.ums.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ums.ledger.Claim;
import dev.ums.ledger.FailureClass;
import dev.ums.ledger.Ledger;
import dev.ums.ledger.Outcome;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Plays the dispatcher by hand through the {@link Ledger}, the only writer of the message and
 * outbox tables: claims an accepted message and records the outcome a test names, so a test gets a
 * SENDING, SENT or FAILED message without SMTP and without a copy of the ledger's SQL. An outcome
 * is recorded with the {@link TestClock} stopped at the time the test gives, so the message's
 * {@code updated_at} says when it was sent or failed.
 *
 * <p>The ledger claims the oldest due rows first, not a chosen one: to reach a message, a claim
 * takes every due row and gives the others straight back as unsent (QUEUED, due now, attempt
 * returned), as a stopping dispatcher does. Where a test reads the due time of other queued
 * messages, it queues them after the ones it moves. Use it where no dispatcher runs, or with the
 * context's dispatcher stopped.
 */
public class ManualDispatch {

  private static final String INSTANCE = "manual";
  private static final int BATCH = 500;
  private static final Duration LEASE = Duration.ofMinutes(10);

  private final Ledger ledger;
  private final TestClock clock;

  public ManualDispatch(Ledger ledger, TestClock clock) {
    this.ledger = ledger;
    this.clock = clock;
  }

  /** Claims {@code id}, which must be QUEUED and due: it is SENDING afterwards, leased. */
  public Claim claim(UUID id) {
    Claim mine = null;
    List<Outcome> others = new ArrayList<>();
    while (mine == null) {
      List<Claim> batch = ledger.claim(INSTANCE, BATCH, LEASE);
      if (batch.isEmpty()) {
        break;
      }
      for (Claim c : batch) {
        if (c.messageId().equals(id)) {
          mine = c;
        } else {
          others.add(new Outcome.Unsent(c));
        }
      }
    }
    assertThat(ledger.record(others).applied()).isEqualTo(others.size());
    assertThat(mine).as("a claim of %s, which should be QUEUED and due", id).isNotNull();
    return mine;
  }

  /** Claims {@code id} and records it sent at {@code at}, with {@code refused} (sealed) or null. */
  public void sent(UUID id, Instant at, byte[] refused) {
    record(at, new Outcome.Sent(claim(id), "250 2.0.0 Ok", refused, at));
  }

  /**
   * Fails {@code id} {@code attempts} times, the last at {@code at} and each earlier one a second
   * before the next, as {@code classification} with {@code code} and the text "attempt N failed";
   * the last failure makes it a dead letter (FAILED, no outbox row).
   */
  public void deadLetter(
      UUID id, Instant at, FailureClass classification, Integer code, int attempts) {
    for (int n = 1; n <= attempts; n++) {
      Instant when = at.minusSeconds(attempts - n);
      // Retried at the time it failed, which has passed: due at once for the next claim.
      Instant retryAt = n < attempts ? when : null;
      record(
          when, failed(claim(id), classification, code, "attempt " + n + " failed", when, retryAt));
    }
  }

  /** Makes every due message a dead letter failed once at {@code at}; returns how many. */
  public int deadLetterAllDue(Instant at, FailureClass classification, Integer code) {
    int total = 0;
    for (List<Claim> batch = ledger.claim(INSTANCE, BATCH, LEASE);
        !batch.isEmpty();
        batch = ledger.claim(INSTANCE, BATCH, LEASE)) {
      List<Outcome> dead = new ArrayList<>();
      for (Claim c : batch) {
        dead.add(failed(c, classification, code, "attempt " + c.attempt() + " failed", at, null));
      }
      int applied = clock.at(at, () -> ledger.record(dead).applied());
      assertThat(applied).isEqualTo(dead.size());
      total += applied;
    }
    return total;
  }

  private static Outcome.Failed failed(
      Claim c,
      FailureClass classification,
      Integer code,
      String text,
      Instant at,
      Instant retryAt) {
    return new Outcome.Failed(
        c,
        classification,
        code,
        text,
        retryAt,
        retryAt == null ? "dead-lettered by the test" : null,
        at,
        true);
  }

  private void record(Instant at, Outcome o) {
    int applied = clock.at(at, () -> ledger.record(List.of(o)).applied());
    assertThat(applied).as("recorded %s", o.claim().messageId()).isEqualTo(1);
  }
}
