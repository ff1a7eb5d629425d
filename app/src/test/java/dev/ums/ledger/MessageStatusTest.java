package dev.ums.ledger;

import static dev.ums.ledger.MessageStatus.BOUNCED;
import static dev.ums.ledger.MessageStatus.CANCELLED;
import static dev.ums.ledger.MessageStatus.FAILED;
import static dev.ums.ledger.MessageStatus.QUEUED;
import static dev.ums.ledger.MessageStatus.SENDING;
import static dev.ums.ledger.MessageStatus.SENT;
import static dev.ums.ledger.MessageStatus.SUPPRESSED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every (from, to) pair of statuses, and whether the ledger lets a message make that move. */
class MessageStatusTest {

  /** The state machine, written out once more by hand: the test fails if the enum drifts. */
  static final Set<String> ALLOWED =
      Set.of(
          "QUEUED->SENDING", // claim
          "QUEUED->CANCELLED", // cancel
          "SENDING->SENT", // the relay accepted it
          "SENDING->QUEUED", // retry, release, reaped with attempts left
          "SENDING->FAILED", // dead letter, reaped with attempts spent
          "SENDING->SUPPRESSED", // every recipient suppressed when the dispatcher looked again
          "SENT->BOUNCED", // a hard bounce reported after the relay accepted it
          "FAILED->QUEUED"); // re-drive

  static Stream<Arguments> everyPair() {
    return Stream.of(MessageStatus.values())
        .flatMap(from -> Stream.of(MessageStatus.values()).map(to -> Arguments.of(from, to)));
  }

  @ParameterizedTest(name = "{0} -> {1}")
  @MethodSource("everyPair")
  void a_move_is_allowed_exactly_when_the_state_machine_has_it(
      MessageStatus from, MessageStatus to) {
    boolean allowed = ALLOWED.contains(from + "->" + to);

    assertThat(from.canMoveTo(to)).isEqualTo(allowed);
    if (allowed) {
      assertThat(from.moveTo(to)).isEqualTo(to.name());
    } else {
      assertThatThrownBy(() -> from.moveTo(to))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining(from + " to " + to);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("finals")
  void cancelled_suppressed_and_bounced_are_final(MessageStatus s) {
    assertThat(s.next()).isEmpty();
  }

  static Stream<MessageStatus> finals() {
    return Stream.of(CANCELLED, SUPPRESSED, BOUNCED);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("nonFinals")
  void every_other_status_can_move_on(MessageStatus s) {
    assertThat(s.next()).isNotEmpty();
  }

  @Test
  void a_message_starts_queued_or_suppressed() {
    assertThat(MessageStatus.initial()).containsExactlyInAnyOrder(QUEUED, SUPPRESSED);
  }

  static Stream<MessageStatus> nonFinals() {
    return Stream.of(QUEUED, SENDING, FAILED, SENT);
  }
}
