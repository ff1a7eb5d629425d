package dev.ums.dispatch;

import dev.ums.ledger.Claim;
import java.util.List;

/**
 * Where a dispatcher's claims come from when they do not come from its own claim statement: in
 * Kafka mode, records handed off by the relay and checked against the outbox. The dispatcher calls
 * {@link #claim}, {@link #idle} and {@link #close} from its claim loop thread only, and {@link
 * #recorded} from its result writer once the results of those claims are committed.
 */
public interface ClaimSource {

  /**
   * Up to {@code limit} claims that are still this instance's to send (their outbox row still holds
   * their claim token); may return fewer, or none after waiting a short while.
   */
  List<Claim> claim(int limit);

  /** Called instead of {@link #claim} when the dispatcher has no room; keeps the source alive. */
  default void idle() {}

  /** The results of {@code claims} (as returned by {@link #claim}) are committed. */
  default void recorded(List<Claim> claims) {}

  /** The claim loop has ended; release what the source holds. */
  default void close() {}
}
