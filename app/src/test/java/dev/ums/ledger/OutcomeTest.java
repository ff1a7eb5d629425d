package dev.ums.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Outcomes wait in memory until written: they must not keep a message's content alive. */
class OutcomeTest {

  private final Claim claim =
      new Claim(
          UUID.randomUUID(), UUID.randomUUID(), 1, Instant.EPOCH, new byte[1 << 20], 42, "default");

  @Test
  void every_outcome_keeps_its_claim_without_the_content() {
    Outcome[] outcomes = {
      new Outcome.Sent(claim, "250 ok", null, Instant.EPOCH),
      new Outcome.Unsent(claim),
      new Outcome.Failed(
          claim, FailureClass.TRANSIENT, 451, "451 later", Instant.EPOCH, null, Instant.EPOCH, true)
    };
    for (Outcome o : outcomes) {
      assertThat(o.claim().content()).as(o.getClass().getSimpleName()).isNull();
      assertThat(o.claim().messageId()).isEqualTo(claim.messageId());
      assertThat(o.claim().claimToken()).isEqualTo(claim.claimToken());
      assertThat(o.claim().attempt()).isEqualTo(1);
      assertThat(o.claim().leaseEndsNanos()).isEqualTo(42);
    }
  }
}
