package dev.ums.dispatch;

/**
 * Something that claims from the outbox and can be told that work has arrived: the dispatcher, or
 * in Kafka mode the relay. Woken after a local intake commit and on a NOTIFY from another instance.
 */
public interface Wakeable {

  /** Claim now instead of at the next poll. Cheap; safe from any thread. */
  void wake();
}
